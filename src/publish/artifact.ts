// Uploads the downloaded media and manifest.json as one workflow artifact.
// @actions/artifact is loaded only when an upload happens: it is large and slows every start.
import { writeFile, mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { logText, startGroup } from '../log.js'
import type { Result } from '../types.js'

export interface UploadedArtifact {
  id: number | null
  name: string
}

/** Names tried after `name` is found taken for good: `name-2` … `name-10`. */
const MAX_SUFFIX = 10

/** Writes `manifest.json`, the results, into `dir`, beside the media. */
export async function writeManifest(dir: string, results: Result[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(results, null, 2)}\n`)
}

/**
 * Uploads `dir`'s `manifest.json` and `mediaFiles` (relative to `dir`) as artifact `name`. When a
 * re-run finds the name taken, the earlier artifact is replaced; when it cannot be (an upload
 * that never finalized keeps its name, unlisted and undeletable), the next free `name-N` is used,
 * and said.
 */
export async function uploadArtifact(
  name: string,
  dir: string,
  mediaFiles: string[],
  warn: (message: string) => void
): Promise<UploadedArtifact> {
  return uploadFiles(name, dir, ['manifest.json', ...mediaFiles], warn)
}

/**
 * Uploads `files` (relative to `dir`) as artifact `name`, replacing an earlier artifact of that
 * name. With `rename: false` (a name another job looks for) a name that cannot be freed is an
 * error rather than a reason to use `name-N`.
 */
export async function uploadFiles(
  name: string,
  dir: string,
  files: string[],
  warn: (message: string) => void,
  { rename = true }: { rename?: boolean } = {}
): Promise<UploadedArtifact> {
  const paths = files.map(f => path.join(dir, ...f.split('/')))
  // The client logs a dozen lines per upload ("Artifact name is valid!"…): fold them under one.
  const endGroup = startGroup(
    `Uploading artifact "${logText(name)}": ${await describe(files, paths)}`
  )
  try {
    return await uploadAs(name, dir, paths, warn, rename)
  } finally {
    endGroup()
  }
}

/**
 * What a reader of the log is told is uploaded: "manifest.json, 3 videos and 3 thumbnails, 61 kB".
 * Only counts and the action's own file names: the paths come from the pull request.
 */
async function describe(files: string[], paths: string[]): Promise<string> {
  const bytes = (await Promise.all(paths.map(f => stat(f)))).reduce((sum, s) => sum + s.size, 0)
  const count = (pattern: RegExp, noun: string) => {
    const n = files.filter(f => pattern.test(f)).length
    return n ? [`${n} ${noun}${n === 1 ? '' : 's'}`] : []
  }
  const own = files.filter(f => !f.includes('/') && /^[a-z]+\.json$/.test(f))
  const media = [...count(/\.mp4$/, 'video'), ...count(/\.(jpg|png|webp)$/, 'thumbnail')]
  const parts = [...own, ...(media.length ? [media.join(' and ')] : [])]
  const size =
    bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} kB` : `${(bytes / 1e6).toFixed(1)} MB`
  return `${parts.join(', ') || 'nothing'}, ${size}`
}

async function uploadAs(
  name: string,
  dir: string,
  paths: string[],
  warn: (message: string) => void,
  rename: boolean
): Promise<UploadedArtifact> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const client = new DefaultArtifactClient()
  // Videos are compressed already: zipping them again costs time and saves nothing.
  const upload = async (as: string) => ({
    id: (await client.uploadArtifact(as, paths, dir, { compressionLevel: 0 })).id ?? null,
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
    if (!rename) {
      throw new Error(`Artifact name "${name}" is taken by an upload that never finished`)
    }
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
