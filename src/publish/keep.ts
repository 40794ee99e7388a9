// Where a run's videos are kept once they are ready: downloaded beside a manifest.json, uploaded as
// the workflow artifact, and published to the release.
import type { Settings } from '../settings.js'
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { unlessCancelled } from '../cancel.js'
import { endOpenGroup, info, log } from '../log.js'
import type { Row } from '../types.js'
import { uploadArtifact, writeManifest } from './artifact.js'
import type { MediaStore } from './media.js'
import { publicResults } from './outputs.js'
import { publishToRelease, type ReleasedVideo } from './release.js'
import { decideRelease } from './release-gate.js'

/** Where a run's media went. */
export interface Kept {
  artifactId: number | null
  artifactName: string
  /** The folder holding the media and manifest.json, or null when there was nothing to keep. */
  directory: string | null
  /** What could not be published to the release, or null. */
  unreleased: string | null
  /** The rows' videos in the release. */
  released: ReleasedVideo[]
}

/**
 * Waits for the downloads, writes manifest.json beside them, uploads them as the artifact
 * `artifactName`, and publishes them to the release (its manifest.json too, unless
 * `releaseManifest` is false: a shard leaves that to the aggregate job).
 */
export async function keepMedia(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  signal: AbortSignal,
  rows: Row[],
  media: MediaStore,
  as: { artifactName: string; releaseManifest: boolean }
): Promise<Kept> {
  const kept: Kept = {
    artifactId: null,
    artifactName: as.artifactName,
    directory: null,
    unreleased: null,
    released: []
  }
  // After a cancellation the runner allows seconds, not minutes: the comment comes first, and a
  // download or upload under way when the job is cancelled is abandoned.
  const abandon = (what: string) => () => {
    endOpenGroup()
    log.warning(`Cancelled: the ${what} was abandoned; the comment comes first`)
    return null
  }
  if (rows.some(row => row.video_url)) {
    const downloaded = media.settled().then(() => true)
    if (await unlessCancelled(downloaded, signal, () => !!abandon('download')())) {
      await writeManifest(media.dir, publicResults(rows, settings.redact))
      kept.directory = media.dir
    }
  }
  if (settings.artifact && kept.directory && !signal.aborted) {
    const upload = publishArtifact(as.artifactName, rows, kept.directory)
    kept.artifactId = await unlessCancelled(upload, signal, abandon('artifact upload'))
  }
  if (settings.release && !signal.aborted) {
    const work = publishToRelease(
      settings.release,
      decideRelease(event, settings.releaseBranches),
      event,
      github,
      rows,
      kept.directory,
      as.releaseManifest
    )
    const released = await unlessCancelled(work, signal, abandon('release upload'))
    kept.unreleased = released?.problem ?? null
    kept.released = released?.entries ?? []
  }
  return kept
}

/** Uploads `dir` as artifact `name`: the manifest and every file downloaded. */
async function publishArtifact(name: string, rows: Row[], dir: string): Promise<number | null> {
  try {
    const media = rows
      .flatMap(row => [row.video_file, row.thumbnail_file])
      .filter((f): f is string => !!f)
    const artifact = await uploadArtifact(name, dir, media, log.warning)
    info(`Artifact "${artifact.name}" uploaded (id ${artifact.id})`)
    return artifact.id
  } catch (error) {
    log.error(`The artifact could not be uploaded: ${(error as Error).message}`)
    return null
  }
}
