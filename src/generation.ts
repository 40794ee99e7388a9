// Step 4 of the job: generate the pending rows' videos through the request queue, reusing what was
// paid for already and resuming what an earlier run left rendering; or, on a dry run given a key,
// check what the queue shows that key.
import type { Settings } from './settings.js'
import type { EventInfo } from './github/event.js'
import type { GitHubClient } from './github/client.js'
import { createQueueClient, type QueueClient } from './queue/client.js'
import { preflight, PreflightError, reportParameters } from './queue/preflight.js'
import { checkSetup } from './queue/setup-check.js'
import { generate, type Generated } from './queue/generate.js'
import { notGenerated } from './queue/outcome.js'
import { planReuse } from './reuse/index.js'
import { withinBudget } from './budget.js'
import type { MediaStore } from './publish/media.js'
import type { Report } from './publish/report.js'
import { requestsOf } from './rows.js'
import { info, log, startGroup } from './log.js'
import { SUCCEEDED, type Row, type ScriptOutcome } from './types.js'

/** What generation left to fail the step with. */
export interface Generation {
  /** What stopped everything (a refused key, an unknown model), or null. */
  fatal: string | null
  /** The queue's rate limit stopped the submissions: why, and what the next run does. */
  rateLimited: string | null
}

/**
 * A dry run given a key: checks the key and the models with the queue, and reports what the
 * account sees in the log, the comment and the summary. Returns what stops the key or a model
 * from working, which fails the step.
 */
export async function checkMySetup(
  settings: Settings,
  signal: AbortSignal,
  outcomes: ScriptOutcome[],
  report: Report
): Promise<string | null> {
  const requests = requestsOf(outcomes)
  const models = requests.length ? requests.map(r => r.model) : [settings.model]
  const check = await checkSetup(queueClient(settings), models, signal)
  const endCheck = startGroup('Setup check: what the request queue shows this key')
  for (const finding of check.findings) info(finding)
  endCheck()
  reportParameters(check.details, requests, { debug: log.debug, warn: log.warning })
  report.context.setup = check.findings.map(settings.redact)
  return check.problem
}

/**
 * Generates nothing: the earlier comment, which may hold videos already paid for and requests
 * still rendering, could not be read, and generating blind could pay for them again.
 */
export function holdBack(rows: Row[], why: string): string {
  const message = `${why}. It may hold videos already paid for, so nothing was generated, to avoid paying twice: re-run the job when GitHub answers again`
  for (const row of rows.filter(r => r.pending)) {
    row.pending = false
    row.status = 'skipped'
    row.error = 'not generated: the earlier comment could not be read'
  }
  return message
}

/**
 * Generates the pending rows' videos and writes the outcomes into the rows. Returns the error
 * that stopped everything (a refused key, an unknown model), or null. `clients.lookups` is the
 * queue client that reuse looks for earlier videos with: it shares the run's read of the request
 * list with the before/after (see `listOnce`).
 */
export async function generateVideos(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  clients: { queue: QueueClient; lookups: QueueClient },
  media: MediaStore,
  signal: AbortSignal,
  rows: Row[],
  outcomes: ScriptOutcome[],
  report: Report
): Promise<Generation> {
  const { queue: client, lookups } = clients
  const requests = requestsOf(outcomes)
  try {
    const details = await preflight(
      client,
      requests.map(r => r.model),
      log.warning,
      signal
    )
    reportParameters(details, requests, { debug: log.debug, warn: log.warning })
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error
    // One cause for every row: shown once per row, and the step fails on it alone.
    for (const row of rows.filter(r => r.pending)) {
      applyGenerated(row, { ...notGenerated(row.file), error: error.message }, settings.redact)
    }
    return { fatal: error.message, rateLimited: null }
  }
  const plan = await planReuse({
    requests,
    saved: report.context.carry ?? [],
    event,
    mergedPulls: report.mergedPulls,
    github,
    client: lookups,
    reuse: settings.reuse,
    commentKey: settings.commentKey,
    signal,
    log: info,
    warn: log.warning
  })
  for (const row of rows) if (plan.resumed.has(row.file)) row.resumed = true
  // What is paid for is known only now: reused and resumed requests are free.
  const { jobs, budget, left } = withinBudget(plan.jobs, rows, settings.maxMinutes)
  report.context.budget = budget
  report.show()

  const endGeneration = startGroup(`Generating ${jobs.length} videos`)
  const byFile = new Map(rows.map(row => [row.file, row]))
  let refused: string | null = null
  let rateLimited: string | null = null
  // Each outcome reaches its row through onProgress, as it finishes, for the live comment.
  await generate(jobs, {
    client,
    maxConcurrency: settings.maxConcurrency,
    pollInterval: settings.pollInterval,
    timeout: settings.timeout,
    signal,
    budget: left,
    warn: log.warning,
    log: info,
    onRefused: message => (refused = message),
    onRateLimited: message => {
      rateLimited = message
      log.warning(
        `${sentence(message)}: nothing more is submitted this run; the scripts not yet submitted are skipped, and the next run submits them`
      )
    },
    onProgress: progress => {
      const id = progress.requestId ? ` (${progress.requestId})` : ''
      info(`${progress.file}: ${progress.status}${id}`)
      const row = byFile.get(progress.file)
      if (!row) return
      if (progress.final) applyGenerated(row, progress.final, settings.redact)
      else row.remoteStatus = settings.redact(progress.status)
      row.request_id = progress.requestId ? settings.redact(progress.requestId) : row.request_id
      if (progress.final && SUCCEEDED.has(row.status) && row.video_url) media.fetch(row)
      report.show()
    },
    onSummary: c => info(progressLine(c))
  }).finally(endGeneration)
  // The scripts past the cap were skipped for it, not for the rate limit.
  const run = new Set(jobs.map(job => job.request.file))
  const ran = rows.filter(row => run.has(row.file))
  return { fatal: refused, rateLimited: rateLimited && rateLimitNotice(ran, rateLimited, report) }
}

/** `the queue…` → `The queue…` */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * Says in the comment and summary that the queue's rate limit, not the scripts, stopped the run,
 * and returns what the step fails with.
 */
function rateLimitNotice(rows: Row[], why: string, report: Report): string {
  const skipped = rows.filter(r => r.status === 'skipped' && !r.pending).length
  const scripts = `${skipped} ${skipped === 1 ? 'script was' : 'scripts were'}`
  const message = skipped
    ? `${sentence(why)}: ${scripts} not submitted, and the next run submits them`
    : `${sentence(why)}: what it refused failed for the limit, not for the scripts, and the next run submits it again`
  report.context.notice = [report.context.notice, `${message}.`].filter(Boolean).join(' ')
  return message
}

/**
 * Writes an outcome into its row. Whatever the queue said is scrubbed of the key here, before
 * any rendering: once escaped for markdown, a key is no longer found by a search for it.
 */
function applyGenerated(row: Row, generated: Generated, redact: (text: string) => string): void {
  const scrub = (text: string | null) => (text === null ? null : redact(text))
  row.pending = false
  row.status = generated.status
  row.request_id = scrub(generated.requestId)
  row.video_url = scrub(generated.videoUrl)
  row.media_urls = generated.mediaUrls && generated.mediaUrls.map(redact)
  row.thumbnail_url = scrub(generated.thumbnailUrl)
  row.duration = generated.duration
  row.error = scrub(generated.error)
}

export function queueClient(settings: Settings): QueueClient {
  return createQueueClient({
    apiUrl: settings.apiUrl,
    apiKey: settings.apiKey,
    organizationId: settings.organizationId,
    observer: {
      onRetry: (attempt, delay, reason) =>
        info(`Request queue: ${reason}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`),
      // The shape of every answer, for a failing run with the real queue to show what it said.
      onAnswer: line => log.debug(`Request queue: ${line}`)
    }
  })
}

function progressLine(c: Record<string, number>): string {
  const rest = Object.entries(c)
    .filter(([k]) => k !== 'done' && k !== 'total')
    .map(([k, v]) => `${v} ${k}`)
  return [`${c.done}/${c.total} done`, ...rest].join(', ')
}
