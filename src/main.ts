// The job, top to bottom: find the scripts, build their payloads, generate the videos, publish.
import path from 'node:path'
import * as core from '@actions/core'
import { readSettings, type Settings } from './settings.js'
import { readEvent, type EventInfo } from './github/event.js'
import { createGitHubClient, type GitHubClient } from './github/client.js'
import { findMergedPullRequests, type MergedPullRequest } from './github/pulls.js'
import { findScripts } from './find/index.js'
import { openWorkingDirectory } from './find/workspace.js'
import { loadScript } from './script/index.js'
import { createQueueClient } from './queue/client.js'
import { preflight, PreflightError } from './queue/preflight.js'
import { generate, notGenerated, type Generated } from './queue/generate.js'
import { decideSpending, type Spending } from './spending.js'
import { planReuse } from './reuse/index.js'
import { renderReport, marker, type RenderContext } from './publish/render.js'
import { decodeState } from './publish/state.js'
import {
  findComment,
  tokenIdentity,
  liveEditInterval,
  LiveComment,
  type Found
} from './publish/comment.js'
import { downloadMedia } from './publish/media.js'
import { uploadArtifact } from './publish/artifact.js'
import { counts, setOutputs } from './publish/outputs.js'
import { toResult, rowsFor, requestsOf } from './rows.js'
import type { Problem, Result, Row, ScriptOutcome } from './types.js'

/** Whether publish() wrote the outputs; a run that fails before then still sets them, empty. */
let outputsSet = false

export async function run(): Promise<void> {
  const cancel = watchCancellation()
  let settings: Settings | undefined
  try {
    settings = readSettings()
    await job(settings, readEvent(), cancel.signal)
  } catch (error) {
    core.setFailed(redact((error as Error).message, settings?.apiKey))
    // The contract's outputs exist on every run, so `if: always()` steps can read them.
    if (!outputsSet) setOutputs([], { commentUrl: null, artifactId: null })
  } finally {
    cancel.dispose()
  }
}

async function job(settings: Settings, event: EventInfo, signal: AbortSignal): Promise<void> {
  // Scripts are read, and their paths shown, relative to working-directory (by default the
  // workspace): under pull_request_target, the folder the pull request's head is checked out in.
  const workspace = await openWorkingDirectory(
    process.env.GITHUB_WORKSPACE ?? process.cwd(),
    settings.workingDirectory
  )
  const github = settings.githubToken
    ? createGitHubClient(settings.githubToken, core.warning)
    : null
  const spending = decideSpending(settings, event)
  if (spending.dryRun) core.notice(`Dry run: nothing is submitted. ${spending.notice ?? ''}`.trim())

  // 1. Find the scripts the event touched.
  const selection = await findScripts({
    mode: settings.mode,
    patterns: settings.scripts,
    event,
    workspace,
    github,
    log: core.info,
    warn: core.warning
  })
  core.info(`Scripts: ${selection.files.length} selected from ${selection.source}`)
  for (const file of selection.removed) core.info(`${file} was removed: nothing to generate`)

  // 2. Turn each into a validated payload before any money is spent.
  const outcomes = await Promise.all(
    selection.files.map(file => loadScript(workspace, file, defaultsOf(settings)))
  )
  annotate(outcomes)
  const rows = rowsFor(outcomes, spending.dryRun)

  // 3. Open the report: the earlier comment (where results go, and what it left to reuse).
  const report = await openReport(settings, event, github, spending, selection.removed, rows)

  // 4. Generate: reuse what was paid for already, resume what an earlier run left rendering.
  let fatal: string | null = null
  if (!spending.dryRun && rows.some(r => r.pending)) {
    fatal = await generateVideos(settings, event, github, signal, rows, outcomes, report)
  }

  // 5. Publish: artifact, comment, summary, outputs.
  const results = await publish(settings, event, signal, rows, report)
  const { succeeded, failed } = counts(results)
  core.info(
    `${succeeded} succeeded, ${failed} failed, ${results.length - succeeded - failed} skipped`
  )
  if (fatal) core.setFailed(fatal)
  else if (failed && settings.failOnError) {
    core.setFailed(`${failed} of ${results.length} scripts did not produce a video`)
  }
}

interface Report {
  context: RenderContext
  live: LiveComment | null
  mergedPulls: MergedPullRequest[]
  /** Shows the rows' current state in the live comment, rate-limited. */
  show(): void
}

async function openReport(
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
  const existing = target && github ? await findEarlierComment(github, target, settings) : null
  const mergedPulls = github ? await findMergedPullRequests(github, event, core.warning) : []
  const context: RenderContext = {
    commentKey: settings.commentKey,
    repoUrl: `${event.serverUrl}/${event.owner}/${event.repo}`,
    headSha: event.sha || null,
    runUrl: event.runUrl,
    artifactUrl: null,
    dryRun: spending.dryRun,
    notice: spending.notice,
    removed,
    mergedPulls,
    // What an earlier run saved for scripts this run does not touch is kept for later runs.
    carry: decodeState(existing?.body ?? ''),
    mediaExpiry:
      'Video links come from the request queue and may expire; the workflow artifact keeps a copy.',
    final: false
  }
  const live =
    target && github && (rows.length || existing)
      ? new LiveComment(
          github,
          target,
          existing,
          liveEditInterval(settings.pollInterval),
          core.warning
        )
      : null
  // Rendered only when an edit is due: the live comment writes at most every few seconds.
  const show = () => live?.update(() => redact(renderReport(rows, context), settings.apiKey))
  return { context, live, mergedPulls, show }
}

/**
 * Generates the pending rows' videos and writes the outcomes into the rows. Returns the error
 * that stopped everything (a refused key, an unknown model), or null.
 */
async function generateVideos(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  signal: AbortSignal,
  rows: Row[],
  outcomes: ScriptOutcome[],
  report: Report
): Promise<string | null> {
  const requests = requestsOf(outcomes)
  const client = createQueueClient({
    apiUrl: settings.apiUrl,
    apiKey: settings.apiKey,
    organizationId: settings.organizationId,
    observer: {
      onRetry: (attempt, delay, reason) =>
        core.info(`Request queue: ${reason}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`)
    }
  })
  try {
    await preflight(
      client,
      requests.map(r => r.model),
      core.warning,
      signal
    )
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error
    // One cause for every row: shown once per row, and the step fails on it alone.
    for (const row of rows.filter(r => r.pending)) {
      applyGenerated(row, { ...notGenerated(row.file), error: error.message }, settings.apiKey)
    }
    return error.message
  }
  const plan = await planReuse({
    requests,
    saved: report.context.carry ?? [],
    event,
    mergedPulls: report.mergedPulls,
    github,
    client,
    reuse: settings.reuse,
    commentKey: settings.commentKey,
    signal,
    log: core.info,
    warn: core.warning
  })
  for (const row of rows) if (plan.resumed.has(row.file)) row.resumed = true
  report.show()

  core.startGroup(`Generating ${plan.jobs.length} videos`)
  const byFile = new Map(rows.map(row => [row.file, row]))
  // Each outcome reaches its row through onProgress, as it finishes, for the live comment.
  await generate(plan.jobs, {
    client,
    maxConcurrency: settings.maxConcurrency,
    pollInterval: settings.pollInterval,
    timeout: settings.timeout,
    signal,
    onProgress: progress => {
      const id = progress.requestId ? ` (${progress.requestId})` : ''
      core.info(`${progress.file}: ${progress.status}${id}`)
      const row = byFile.get(progress.file)
      if (!row) return
      if (progress.final) applyGenerated(row, progress.final, settings.apiKey)
      else row.remoteStatus = redact(progress.status, settings.apiKey)
      row.request_id = progress.requestId
        ? redact(progress.requestId, settings.apiKey)
        : row.request_id
      report.show()
    },
    onSummary: c => core.info(progressLine(c))
  })
  core.endGroup()
  return null
}

/** Uploads the artifact, writes the comment, the summary and the outputs; returns the results. */
async function publish(
  settings: Settings,
  event: EventInfo,
  signal: AbortSignal,
  rows: Row[],
  report: Report
): Promise<Result[]> {
  const { context } = report
  let artifactId: number | null = null
  // After a cancellation the runner allows seconds, not minutes: the comment comes first.
  if (settings.artifact && !signal.aborted && rows.some(r => r.video_url)) {
    artifactId = await publishArtifact(settings, rows)
    if (artifactId !== null && event.runUrl) {
      context.artifactUrl = `${event.runUrl}/artifacts/${artifactId}`
    }
  }
  context.final = true
  let commentUrl: string | null = null
  if (report.live) {
    try {
      const body = redact(renderReport(rows, context), settings.apiKey)
      commentUrl = (await report.live.finish(body)).url
      core.info(`Comment: ${commentUrl}`)
    } catch (error) {
      core.warning(`${(error as Error).message}. The results are in the job summary.`)
    }
  }
  // Outputs before the summary: a summary that cannot be written must not blank them.
  const results = publicResults(rows, settings.apiKey)
  setOutputs(results, { commentUrl, artifactId })
  outputsSet = true
  if (rows.length || context.removed?.length) {
    const summary = renderReport(rows, context, { forSummary: true })
    try {
      await core.summary.addRaw(redact(summary, settings.apiKey)).write()
    } catch (error) {
      core.warning(`The job summary could not be written: ${(error as Error).message}`)
    }
  }
  outputsSet = true
  return results
}

function defaultsOf(settings: Settings) {
  return {
    model: settings.model,
    avatarId: settings.avatarId,
    voiceId: settings.voiceId,
    dimension: settings.dimension,
    caption: settings.caption
  }
}

/** Every problem as an annotation on its line, so the writer sees it in the diff. */
function annotate(outcomes: ScriptOutcome[]): void {
  const where = (p: Problem, title: string) => ({
    file: p.file,
    startLine: p.line,
    startColumn: p.column,
    title
  })
  const said = (p: Problem) => `${p.key ? `${p.key}: ` : ''}${p.message}`
  for (const outcome of outcomes) {
    for (const p of outcome.ok ? [] : outcome.problems) {
      core.error(said(p), where(p, 'Invalid video script'))
    }
    for (const w of outcome.warnings) core.warning(said(w), where(w, 'Video script'))
  }
}

async function findEarlierComment(
  github: GitHubClient,
  target: { owner: string; repo: string; issueNumber: number },
  settings: Settings
): Promise<Found | null> {
  try {
    return await findComment(
      github,
      target,
      marker(settings.commentKey),
      await tokenIdentity(github)
    )
  } catch (error) {
    core.warning(`Could not read the pull request's comments: ${(error as Error).message}`)
    return null
  }
}

/**
 * Writes an outcome into its row. Whatever the queue said is scrubbed of the key here, before
 * any rendering: once escaped for markdown, a key is no longer found by a search for it.
 */
function applyGenerated(row: Row, generated: Generated, key: string): void {
  const scrub = (text: string | null) => (text === null ? null : redact(text, key))
  row.pending = false
  row.status = generated.status
  row.request_id = scrub(generated.requestId)
  row.video_url = scrub(generated.videoUrl)
  row.thumbnail_url = scrub(generated.thumbnailUrl)
  row.duration = generated.duration
  row.error = scrub(generated.error)
}

async function publishArtifact(settings: Settings, rows: Row[]): Promise<number | null> {
  const dir = path.join(process.env.RUNNER_TEMP ?? process.cwd(), `avatar-videos-${process.pid}`)
  try {
    const downloaded = await downloadMedia(rows, dir)
    const media = downloaded.flatMap(d => [d.video, d.thumbnail]).filter((f): f is string => !!f)
    const results = publicResults(rows, settings.apiKey)
    const artifact = await uploadArtifact(settings.artifactName, dir, results, media, core.warning)
    core.info(`Artifact "${artifact.name}" uploaded (id ${artifact.id})`)
    return artifact.id
  } catch (error) {
    core.error(`The artifact could not be uploaded: ${(error as Error).message}`)
    return null
  }
}

function progressLine(c: Record<string, number>): string {
  const rest = Object.entries(c)
    .filter(([k]) => k !== 'done' && k !== 'total')
    .map(([k, v]) => `${v} ${k}`)
  return [`${c.done}/${c.total} done`, ...rest].join(', ')
}

/**
 * The results as outputs and the manifest show them. Media URLs and remote error texts could
 * echo the key back, and outputs and artifacts are not masked like logs.
 */
function publicResults(rows: Row[], key: string): Result[] {
  return JSON.parse(redact(JSON.stringify(rows.map(toResult)), key))
}

/** Belt and braces: the key is masked in logs, but comments, summaries and outputs are not logs. */
function redact(text: string, key: string | undefined): string {
  return key ? text.split(key).join('***') : text
}

/** The runner sends SIGINT, then SIGTERM, when a job is cancelled: stop and publish what is known. */
function watchCancellation(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const onSignal = (name: string) => () => {
    core.warning(`Received ${name}: stopping, and publishing what is known so far`)
    controller.abort('cancelled')
  }
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') }
  process.once('SIGINT', handlers.SIGINT)
  process.once('SIGTERM', handlers.SIGTERM)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handlers.SIGINT)
      process.off('SIGTERM', handlers.SIGTERM)
    }
  }
}
