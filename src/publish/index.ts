// Step 5 of one job that does all the work: keep the videos, then finish the report.
import type { Settings } from '../settings.js'
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import type { Result, Row } from '../types.js'
import { keepMedia } from './keep.js'
import type { MediaStore } from './media.js'
import type { Outputs } from './outputs.js'
import { releaseOf } from './release.js'
import { writeResults, type Report } from './report.js'

/**
 * Uploads the artifact, writes the comment, the summary and the outputs. Returns the results,
 * and, when the comment could not be written, why the requests this run paid for are not saved.
 */
export async function publish(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  signal: AbortSignal,
  rows: Row[],
  report: Report,
  media: MediaStore,
  outputs: Outputs
): Promise<{ results: Result[]; unsaved: string | null; unreleased: string | null }> {
  const { context } = report
  const kept = await keepMedia(settings, event, github, signal, rows, media, {
    artifactName: settings.artifactName,
    releaseManifest: true
  })
  if (kept.artifactId !== null && event.runUrl) {
    context.artifactUrl = `${event.runUrl}/artifacts/${kept.artifactId}`
  }
  if (settings.release) context.release = releaseOf(settings.release, event, rows)
  const { results, unsaved } = await writeResults(settings, rows, report, kept, outputs)
  return { results, unsaved, unreleased: kept.unreleased }
}
