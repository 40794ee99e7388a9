// The report of a run: the pull request's sticky comment, opened before anything is generated (the
// earlier one says what can be reused) and kept live while videos render, then the job summary and
// the step's outputs.
import * as core from '@actions/core'
import type { Settings } from '../settings.js'
import type { EventInfo } from '../github/event.js'
import { explainGitHubError, type GitHubClient } from '../github/client.js'
import { findMergedPullRequests, type MergedPullRequest } from '../github/pulls.js'
import type { Spending } from '../spending.js'
import { info, log } from '../log.js'
import type { Result, Row } from '../types.js'
import { findComment, tokenIdentity, liveEditInterval, LiveComment, type Found } from './comment.js'
import { renderReport, marker, type RenderContext } from './render.js'
import { decodeState } from './state.js'
import { publicResults, type Outputs } from './outputs.js'
import { budgetText, selectionBudget } from '../budget.js'

export interface Report {
  context: RenderContext
  live: LiveComment | null
  mergedPulls: MergedPullRequest[]
  /**
   * Why the pull request's earlier comment could not be read, when it could not: no comment is
   * written then (it would be a second one), and nothing is generated while reuse is on.
   */
  unreadable: string | null
  /** Shows the rows' current state in the live comment, rate-limited. */
  show(): void
}

export async function openReport(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  spending: Spending,
  removed: string[],
  rows: Row[]
): Promise<Report> {
  const target =
    settings.comment && github && event.pullRequest
      ? { owner: event.owner, repo: event.repo, issueNumber: event.pullRequest.number }
      : null
  const earlier =
    target && github ? await findEarlierComment(github, target, settings) : { found: null }
  const existing = 'found' in earlier ? earlier.found : null
  const unreadable = 'unreadable' in earlier ? earlier.unreadable : null
  if (unreadable) {
    log.warning(`${unreadable}: no comment is written this run, so as not to start a second one`)
  }
  const mergedPulls = github ? await findMergedPullRequests(github, event, log.warning) : []
  const context: RenderContext = {
    commentKey: settings.commentKey,
    repoUrl: `${event.serverUrl}/${event.owner}/${event.repo}`,
    headSha: event.sha || null,
    runUrl: event.runUrl,
    artifactUrl: null,
    dryRun: spending.dryRun,
    notice: [spending.notice, unreadable && `${unreadable}: no comment was written.`]
      .filter(Boolean)
      .join(' '),
    removed,
    mergedPulls,
    // What an earlier run saved for scripts this run does not touch is kept for later runs.
    carry: decodeState(existing?.body ?? ''),
    mediaExpiry:
      'Video links come from the request queue and may expire; the workflow artifact keeps a copy.',
    final: false,
    // A dry run estimates the whole selection; a run that pays, once reuse is planned.
    budget: spending.dryRun ? selectionBudget(rows, settings.maxMinutes) : null
  }
  if (context.budget?.scripts) info(`Estimate: ${budgetText(context.budget)}`)
  // A shard reads the comment's saved state, but only the aggregate job writes the comment.
  const live =
    target && github && !unreadable && !settings.shard && (rows.length || existing)
      ? new LiveComment(
          github,
          target,
          existing,
          liveEditInterval(settings.pollInterval),
          log.warning
        )
      : null
  // Rendered only when an edit is due: the live comment writes at most every few seconds.
  const show = () => live?.update(() => settings.redact(renderReport(rows, context)))
  return { context, live, mergedPulls, unreadable, show }
}

/** The earlier sticky comment (or null: none yet), or why the comments could not be read. */
async function findEarlierComment(
  github: GitHubClient,
  target: { owner: string; repo: string; issueNumber: number },
  settings: Settings
): Promise<{ found: Found | null } | { unreadable: string }> {
  try {
    const identity = await tokenIdentity(github)
    return { found: await findComment(github, target, marker(settings.commentKey), identity) }
  } catch (error) {
    const action = `Reading the comments of pull request #${target.issueNumber}`
    return { unreadable: explainGitHubError(error, action, 'pull-requests: read') }
  }
}

/**
 * Writes the comment, the outputs and the job summary. Returns the results, the comment's URL,
 * and, when the comment could not be written, why the requests this run paid for are not saved.
 */
export async function writeResults(
  settings: Settings,
  rows: Row[],
  report: Report,
  published: { artifactId: number | null; directory: string | null },
  outputs: Outputs
): Promise<{ results: Result[]; commentUrl: string | null; unsaved: string | null }> {
  const { context } = report
  context.final = true
  let commentUrl: string | null = null
  let unsaved: string | null = null
  if (report.live) {
    try {
      const body = settings.redact(renderReport(rows, context))
      commentUrl = (await report.live.finish(body)).url
      info(`Comment: ${commentUrl}`)
    } catch (error) {
      log.warning(`${(error as Error).message}. The results are in the job summary.`)
      unsaved = unsavedRequests(rows, (error as Error).message)
    }
  }
  // Outputs before the summary: a summary that cannot be written must not blank them.
  const results = publicResults(rows, settings.redact)
  outputs.set(results, { commentUrl, ...published })
  if (rows.length || context.removed?.length) {
    const summary = renderReport(rows, context, { forSummary: true })
    try {
      await core.summary.addRaw(settings.redact(summary)).write()
    } catch (error) {
      log.warning(`The job summary could not be written: ${(error as Error).message}`)
    }
  }
  return { results, commentUrl, unsaved }
}

/**
 * What the step fails with when the comment, the only place a later run learns what this one
 * paid for, could not be written: the request ids, so nothing is paid for twice unknowingly.
 */
function unsavedRequests(rows: Row[], why: string): string | null {
  const paid = rows.filter(row => row.request_id && row.status !== 'reused')
  if (!paid.length) return null
  const ids = paid.map(row => `${row.request_id} (${row.file})`).join(', ')
  return `The pull request comment could not be written (${why}), so the requests this run paid for are not saved for the next run to reuse or resume: ${ids}. They are in the job summary and the results output`
}
