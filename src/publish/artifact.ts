// Uploads the downloaded media and manifest.json as one workflow artifact.
// @actions/artifact is loaded only when an upload happens: it is large and slows every start.
import { writeFile, mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import * as core from '@actions/core'
import type { Result } from '../types.js'

export interface UploadedArtifact {
  id: number | null
  name: string
}

/** Names tried after `name` is found taken for good: `name-2` … `name-10`. */
const MAX_SUFFIX = 10

/**
 * Uploads `manifest.json` and `mediaFiles` (relative to `dir`) as artifact `name`. When a re-run
 * finds the name taken, the earlier artifact is replaced; when it cannot be (an upload that never
 * finalized keeps its name, unlisted and undeletable), the next free `name-N` is used, and said.
 */
export async function uploadArtifact(
  name: string,
  dir: string,
  results: Result[],
  mediaFiles: string[],
  warn: (message: string) => void
): Promise<UploadedArtifact> {
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(results, null, 2)}\n`)
  const files = ['manifest.json', ...mediaFiles].map(f => path.join(dir, ...f.split('/')))
  // The client logs a dozen lines per upload ("Artifact name is valid!"…): fold them under one.
  core.startGroup(`Uploading artifact "${name}": ${await describe(files)}`)
  try {
    return await uploadAs(name, dir, files, warn)
  } finally {
    core.endGroup()
  }
}

/** What a reader of the log is told is uploaded: "manifest.json, 3 videos and 3 thumbnails, 61 kB". */
async function describe(files: string[]): Promise<string> {
  const bytes = (await Promise.all(files.map(f => stat(f)))).reduce((sum, s) => sum + s.size, 0)
  const count = (ext: string, noun: string) => {
    const n = files.filter(f => f.endsWith(ext)).length
    return `${n} ${noun}${n === 1 ? '' : 's'}`
  }
  const size =
    bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} kB` : `${(bytes / 1e6).toFixed(1)} MB`
  return `manifest.json, ${count('.mp4', 'video')} and ${count('.jpg', 'thumbnail')}, ${size}`
}

async function uploadAs(
  name: string,
  dir: string,
  files: string[],
  warn: (message: string) => void
): Promise<UploadedArtifact> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const client = new DefaultArtifactClient()
  // Videos are compressed already: zipping them again costs time and saves nothing.
  const upload = async (as: string) => ({
    id: (await client.uploadArtifact(as, files, dir, { compressionLevel: 0 })).id ?? null,
    name: as
  })

  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const candidate = n === 1 ? name : `${name}-${n}`
    try {
      return await upload(candidate)
    } catch (error) {
      if (!isNameTaken(error)) throw error
    }
    // A re-run of the job finds the artifact of its earlier attempt: replace it, as
    // upload-artifact's `overwrite` does, rather than fail after the videos are paid for.
    if (await deleted(client, candidate)) return upload(candidate)
    const next = `${name}-${n + 1}`
    if (n < MAX_SUFFIX)
      warn(
        `Artifact name "${candidate}" is taken by an upload that never finished: using "${next}"`
      )
  }
  throw new Error(`Artifact names "${name}" to "${name}-${MAX_SUFFIX}" are all taken in this run`)
}

function isNameTaken(error: unknown): boolean {
  return /already exists|\(409\)|conflict/i.test((error as Error).message)
}

async function deleted(
  client: { deleteArtifact(name: string): Promise<unknown> },
  name: string
): Promise<boolean> {
  try {
    await client.deleteArtifact(name)
    return true
  } catch {
    return false
  }
}
