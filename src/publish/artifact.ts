// Uploads the downloaded media and manifest.json as one workflow artifact.
// @actions/artifact is loaded only when an upload happens: it is large and slows every start.
import { writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Result } from '../types.js'

export interface UploadedArtifact {
  id: number | null
  name: string
}

export async function uploadArtifact(
  name: string,
  dir: string,
  results: Result[],
  mediaFiles: string[]
): Promise<UploadedArtifact> {
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(results, null, 2)}\n`)
  const files = ['manifest.json', ...mediaFiles].map(f => path.join(dir, ...f.split('/')))
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const client = new DefaultArtifactClient()
  // Videos are compressed already: zipping them again costs time and saves nothing.
  const upload = () => client.uploadArtifact(name, files, dir, { compressionLevel: 0 })
  try {
    return { id: (await upload()).id ?? null, name }
  } catch (error) {
    // A re-run of the job finds the artifact of its earlier attempt: replace it, as
    // upload-artifact's `overwrite` does, rather than fail after the videos are paid for.
    if (!/already exists|409|conflict/i.test((error as Error).message)) throw error
    await client.deleteArtifact(name)
    return { id: (await upload()).id ?? null, name }
  }
}
