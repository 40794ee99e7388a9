// Step 5 of one job that does all the work: keep the videos, then finish the report.
import type { Settings } from '../settings.js'
import type { Generation } from '../generation.js'
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { info, log } from '../log.js'
import type { Row } from '../types.js'
import { keepMedia } from './keep.js'
import type { MediaStore } from './media.js'
import { counts, type Outputs } from './outputs.js'
import { releaseOf } from './release.js'
import { writeResults, type Report } from './report.js'

/**
 * Uploads the artifact, writes the comment, the summary and the outputs, and fails the step on what
 * stopped the generation, on failed scripts (unless fail-on-error is off) and when the comment
 * could not be written: the requests this run paid for are then saved nowhere.
 */
export async function publish(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  signal: AbortSignal,
  rows: Row[],
  report: Report,
  media: MediaStore,
  outputs: Outputs,
  generated: Generation
): Promise<void> {
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
  const { unreleased } = kept
  const { succeeded, failed } = counts(results)
  info(`${succeeded} succeeded, ${failed} failed, ${results.length - succeeded - failed} skipped`)
  const failure =
    generated.fatal ??
    unsaved ??
    (failed && settings.failOnError
      ? `${failed} of ${results.length} scripts did not produce a video`
      : null) ??
    (generated.rateLimited && settings.failOnError ? generated.rateLimited : null) ??
    (unreleased && settings.failOnError ? unreleased : null)
  if (failure) log.failed(settings.redact(failure))
  // Said once: as the step's failure, or else as a warning.
  if (unreleased && unreleased !== failure) log.warning(unreleased)
}
