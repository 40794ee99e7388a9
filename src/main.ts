// The job, top to bottom: find the scripts, build their payloads, generate the videos, publish.
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { readSettings, type Settings } from './settings.js'
import { readEvent, type EventInfo } from './github/event.js'
import { createGitHubClient, explainGitHubError, type GitHubClient } from './github/client.js'
import { findMergedPullRequests, type MergedPullRequest } from './github/pulls.js'
import { findScripts, type Selection } from './find/index.js'
import { openWorkingDirectory } from './find/workspace.js'
import { createScriptParser, loadScript } from './script/index.js'
import { createQueueClient, type QueueClient } from './queue/client.js'
import { preflight, PreflightError, reportParameters } from './queue/preflight.js'
import { checkSetup } from './queue/setup-check.js'
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
import { createMediaStore, type MediaStore } from './publish/media.js'
import { mediaBases } from './publish/names.js'
import { uploadArtifact, uploadFiles, writeManifest } from './publish/artifact.js'
import {
  publishToRelease,
  releaseOf,
  updateRelease,
  type ReleasedVideo
} from './publish/release.js'
import { counts, recordOutputs, type Outputs } from './publish/outputs.js'
import { toResult, rowsFor, requestsOf } from './rows.js'
import { endOpenGroup, info, startGroup } from './log.js'
import {
  reportArtifactName,
  shardArtifactName,
  shardFiles,
  shardLabel,
  type Shard
} from './shard/split.js'
import { REPORT_FILE, writeShardReport, type ShardReport } from './shard/report.js'
import { collectReports } from './shard/collect.js'
import { mergeReports, unreported, type MissingShard } from './shard/merge.js'
import { SUCCEEDED, type Problem, type Result, type Row, type ScriptOutcome } from './types.js'
import { unlessCancelled, watchCancellation, type Cancellation } from './cancel.js'

export interface RunOptions {
  /**
   * The action's bundle (dist/index.js), started again as the worker threads that parse scripts
   * under a time limit; null parses in this thread.
   */
  entry?: URL | null
}

export interface RunOutcome {
  /** The runner cancelled the job: whatever is still in flight is to be abandoned. */
  cancelled: boolean
}

export async function run(options: RunOptions = {}): Promise<RunOutcome> {
  const cancel = watchCancellation()
  const outputs = recordOutputs()
  // Once read, the settings scrub the key from every message that fails the step.
  let settings: Settings | null = null
  try {
    settings = readSettings()
    await job(settings, readEvent(), cancel, outputs, options.entry ?? null)
  } catch (error) {
    const message = (error as Error).message
    core.setFailed(settings ? settings.redact(message) : message)
    // The contract's outputs exist on every run, so `if: always()` steps can read them.
    if (!outputs.written) outputs.set([], { commentUrl: null, artifactId: null })
  } finally {
    cancel.dispose()
  }
  return { cancelled: cancel.signal.aborted }
}

async function job(
  settings: Settings,
  event: EventInfo,
  cancel: Cancellation,
  outputs: Outputs,
  entry: URL | null
): Promise<void> {
  const { signal } = cancel
  // Scripts are read, and their paths shown, relative to working-directory (by default the
  // workspace): under pull_request_target, the folder the pull request's head is checked out in.
  const workspace = await openWorkingDirectory(
    process.env.GITHUB_WORKSPACE ?? process.cwd(),
    settings.workingDirectory
  )
  const github = settings.githubToken
    ? createGitHubClient(settings.githubToken, { warn: core.warning, signal: cancel.lastCalls })
    : null
  // The final job of a matrix generates nothing: it reports what the shards did.
  if (settings.aggregate) return aggregate(settings, event, github, workspace, outputs)
  const spending = decideSpending(settings, event)
  if (spending.dryRun) core.notice(`Dry run: nothing is submitted. ${spending.notice ?? ''}`.trim())

  // 1. Find the scripts the event touched; a shard of a matrix keeps its own.
  const selection = await selectScripts(settings, event, workspace, github)
  const files = settings.shard ? ownScripts(selection, settings.shard) : selection.files

  // 2. Turn each into a validated payload before any money is spent.
  const parser = createScriptParser(entry)
  const outcomes = await Promise.all(
    files.map(file => loadScript(workspace, file, defaultsOf(settings), parser.parse))
  ).finally(() => parser.close())
  annotate(outcomes)
  const rows = rowsFor(outcomes, spending.dryRun)

  // 3. Open the report: the earlier comment (where results go, and what it left to reuse).
  const report = await openReport(settings, event, github, spending, selection.removed, rows)

  // 4. Generate: reuse what was paid for already, resume what an earlier run left rendering.
  // Each video is downloaded the moment it is ready, before its link can expire.
  const client = spending.dryRun ? null : queueClient(settings)
  const media = createMediaStore({
    dir: path.join(tempDir(), `avatar-videos-${process.pid}`),
    bases: mediaBases(
      rows.map(row => row.file),
      selection.known
    ),
    refresh: async id => {
      const remote = client ? await client.get(id, signal) : null
      // Fresh links are taken only from an answer about that very request.
      return remote?.requestId === id ? remote : null
    },
    scrub: settings.redact
  })
  //    Or, on a dry run given a key, check what the account sees, submitting nothing.
  let generated: Generation = { fatal: null, rateLimited: null }
  if (spending.dryRun && settings.dryRun && settings.apiKey) {
    generated.fatal = await checkMySetup(settings, signal, outcomes, report)
  } else if (client && rows.some(r => r.pending)) {
    generated =
      report.unreadable && settings.reuse
        ? { fatal: holdBack(rows, report.unreadable), rateLimited: null }
        : await generateVideos(
            settings,
            event,
            github,
            client,
            media,
            signal,
            rows,
            outcomes,
            report
          )
  }

  // 5. Publish: artifact, comment, summary, outputs. A shard leaves the comment and the summary
  // to the aggregate job, and hands it its results instead.
  if (settings.shard) {
    const fatal = generated.fatal ?? generated.rateLimited
    const shardRun = { shard: settings.shard, files, spending, fatal }
    return publishShard(settings, shardRun, event, github, signal, rows, media, outputs)
  }
  const { results, unsaved, unreleased } = await publish(
    settings,
    event,
    github,
    signal,
    rows,
    report,
    media,
    outputs
  )
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
  if (failure) core.setFailed(settings.redact(failure))
  // Said once: as the step's failure, or else as a warning.
  if (unreleased && unreleased !== failure) core.warning(unreleased)
}

/** What generation left to fail the step with. */
interface Generation {
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
async function checkMySetup(
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
  reportParameters(check.details, requests, { debug: core.debug, warn: core.warning })
  report.context.setup = check.findings.map(settings.redact)
  return check.problem
}

/** Step 1: the scripts the event touched (or all of them), logged. */
async function selectScripts(
  settings: Settings,
  event: EventInfo,
  workspace: string,
  github: GitHubClient | null
): Promise<Selection> {
  const selection = await findScripts({
    mode: settings.mode,
    patterns: settings.scripts,
    event,
    workspace,
    github,
    log: info,
    warn: core.warning
  })
  info(`Scripts: ${selection.files.length} selected from ${selection.source}`)
  for (const file of selection.removed) info(`${file} was removed: nothing to generate`)
  return selection
}

/** The selected scripts that are this shard's: each job of the matrix takes its own. */
function ownScripts(selection: Selection, shard: Shard): string[] {
  const own = shardFiles(selection.files, shard)
  info(
    `Shard ${shardLabel(shard)}: ${own.length} of the ${selection.files.length} selected scripts are this job's`
  )
  return own
}

/**
 * Generates nothing: the earlier comment, which may hold videos already paid for and requests
 * still rendering, could not be read, and generating blind could pay for them again.
 */
function holdBack(rows: Row[], why: string): string {
  const message = `${why}. It may hold videos already paid for, so nothing was generated, to avoid paying twice: re-run the job when GitHub answers again`
  for (const row of rows.filter(r => r.pending)) {
    row.pending = false
    row.status = 'skipped'
    row.error = 'not generated: the earlier comment could not be read'
  }
  return message
}

interface Report {
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
  const earlier =
    target && github ? await findEarlierComment(github, target, settings) : { found: null }
  const existing = 'found' in earlier ? earlier.found : null
  const unreadable = 'unreadable' in earlier ? earlier.unreadable : null
  if (unreadable) {
    core.warning(`${unreadable}: no comment is written this run, so as not to start a second one`)
  }
  const mergedPulls = github ? await findMergedPullRequests(github, event, core.warning) : []
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
    final: false
  }
  // A shard reads the comment's saved state, but only the aggregate job writes the comment.
  const live =
    target && github && !unreadable && !settings.shard && (rows.length || existing)
      ? new LiveComment(
          github,
          target,
          existing,
          liveEditInterval(settings.pollInterval),
          core.warning
        )
      : null
  // Rendered only when an edit is due: the live comment writes at most every few seconds.
  const show = () => live?.update(() => settings.redact(renderReport(rows, context)))
  return { context, live, mergedPulls, unreadable, show }
}

/**
 * Generates the pending rows' videos and writes the outcomes into the rows. Returns the error
 * that stopped everything (a refused key, an unknown model), or null.
 */
async function generateVideos(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  client: QueueClient,
  media: MediaStore,
  signal: AbortSignal,
  rows: Row[],
  outcomes: ScriptOutcome[],
  report: Report
): Promise<Generation> {
  const requests = requestsOf(outcomes)
  try {
    const details = await preflight(
      client,
      requests.map(r => r.model),
      core.warning,
      signal
    )
    reportParameters(details, requests, { debug: core.debug, warn: core.warning })
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
    client,
    reuse: settings.reuse,
    commentKey: settings.commentKey,
    signal,
    log: info,
    warn: core.warning
  })
  for (const row of rows) if (plan.resumed.has(row.file)) row.resumed = true
  report.show()

  const endGeneration = startGroup(`Generating ${plan.jobs.length} videos`)
  const byFile = new Map(rows.map(row => [row.file, row]))
  let refused: string | null = null
  let rateLimited: string | null = null
  // Each outcome reaches its row through onProgress, as it finishes, for the live comment.
  await generate(plan.jobs, {
    client,
    maxConcurrency: settings.maxConcurrency,
    pollInterval: settings.pollInterval,
    timeout: settings.timeout,
    signal,
    warn: core.warning,
    log: info,
    onRefused: message => (refused = message),
    onRateLimited: message => {
      rateLimited = message
      core.warning(
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
  return { fatal: refused, rateLimited: rateLimited && rateLimitNotice(rows, rateLimited, report) }
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
 * Uploads the artifact, writes the comment, the summary and the outputs. Returns the results,
 * and, when the comment could not be written, why the requests this run paid for are not saved.
 */
async function publish(
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

/** Where a run's media went. */
interface Kept {
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
async function keepMedia(
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
    core.warning(`Cancelled: the ${what} was abandoned; the comment comes first`)
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

/**
 * Writes the comment, the outputs and the job summary. Returns the results, the comment's URL,
 * and, when the comment could not be written, why the requests this run paid for are not saved.
 */
async function writeResults(
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
      core.warning(`${(error as Error).message}. The results are in the job summary.`)
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
      core.warning(`The job summary could not be written: ${(error as Error).message}`)
    }
  }
  return { results, commentUrl, unsaved }
}

/** What a shard did, for its report. */
interface ShardRun {
  shard: Shard
  /** The selected scripts that are this shard's. */
  files: string[]
  spending: Spending
  /** What stopped the whole shard, or null. */
  fatal: string | null
}

/**
 * A shard's publishing: its videos as the artifact `<artifact-name>-i-of-n` (and to the release),
 * its report for the aggregate job, and its outputs. No comment and no summary: the aggregate job
 * writes those, for every script, and fails on failed scripts. A shard fails only when it could
 * not work at all, or could not hand over its report.
 */
async function publishShard(
  settings: Settings,
  run: ShardRun,
  event: EventInfo,
  github: GitHubClient | null,
  signal: AbortSignal,
  rows: Row[],
  media: MediaStore,
  outputs: Outputs
): Promise<void> {
  const kept = await keepMedia(settings, event, github, signal, rows, media, {
    artifactName: shardArtifactName(settings.artifactName, run.shard),
    releaseManifest: false
  })
  // Even after a cancellation: the report is all the aggregate job will know of this shard.
  const unreported = await uploadShardReport(settings, run, rows, kept)
  const results = publicResults(rows, settings.redact)
  outputs.set(results, { commentUrl: null, artifactId: kept.artifactId, directory: kept.directory })
  const { succeeded, failed } = counts(results)
  info(
    `Shard ${shardLabel(run.shard)}: ${succeeded} succeeded, ${failed} failed, ${results.length - succeeded - failed} skipped; the aggregate job reports them`
  )
  const failure = run.fatal ?? unreported
  if (failure) core.setFailed(settings.redact(failure))
  if (kept.unreleased) core.warning(kept.unreleased)
}

/**
 * Uploads the shard's report (shard.json) as the artifact `<artifact-name>-i-of-n-manifest`.
 * Returns why it could not be, naming the requests that are then saved nowhere, or null.
 */
async function uploadShardReport(
  settings: Settings,
  run: ShardRun,
  rows: Row[],
  kept: Kept
): Promise<string | null> {
  const name = reportArtifactName(settings.artifactName, run.shard)
  const report: ShardReport = {
    shard: run.shard,
    files: run.files,
    dryRun: run.spending.dryRun,
    notice: run.spending.notice ?? null,
    artifact: kept.artifactId === null ? null : { id: kept.artifactId, name: kept.artifactName },
    fatal: run.fatal,
    unreleased: kept.unreleased,
    released: kept.released,
    results: rows.map(row => ({
      ...toResult(row),
      pending: !!row.pending,
      remote_status: row.remoteStatus ?? null,
      resumed: !!row.resumed,
      title: row.title,
      estimated_seconds: row.estimatedSeconds,
      payload: row.payload ?? null,
      problems: row.problems
    }))
  }
  try {
    const dir = path.join(tempDir(), `avatar-shard-report-${process.pid}`)
    await writeShardReport(dir, report, settings.redact)
    // Under its own name or not at all: the aggregate job looks for that name.
    const artifact = await uploadFiles(name, dir, [REPORT_FILE], core.warning, { rename: false })
    info(`Report "${artifact.name}" uploaded (id ${artifact.id}) for the aggregate job`)
    return null
  } catch (error) {
    const paid = rows.filter(row => row.request_id && row.status !== 'reused')
    const ids = paid.map(row => `${row.request_id} (${row.file})`).join(', ')
    return `The report of shard ${shardLabel(run.shard)} could not be uploaded as "${name}" (${(error as Error).message}): the aggregate job will show its ${rows.length} scripts as skipped${ids ? `, and the requests it paid for are not saved for the next run: ${ids}` : ''}`
  }
}

/**
 * The final job of a matrix (`aggregate: true`): reads every shard's report of this workflow run
 * and writes, for all the selected scripts, the one comment, the job summary, the outputs and the
 * release's manifest.json, as one job doing all the work would have. It selects the scripts
 * itself, so it knows which ones a shard that reported nothing owed, and reads only those.
 */
async function aggregate(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  workspace: string,
  outputs: Outputs
): Promise<void> {
  const selection = await selectScripts(settings, event, workspace, github)
  const endGroup = startGroup("Reading the shards' reports")
  const dir = path.join(tempDir(), `avatar-shard-reports-${process.pid}`)
  const collected = await collectReports(settings.artifactName, dir, info).finally(endGroup)
  const reports = [...collected.reports.values()].sort((a, b) => a.shard.index - b.shard.index)
  // Every shard of a run decides the same; with none, the event and inputs decide here.
  const spending: Spending = reports[0]
    ? { dryRun: reports[0].dryRun, notice: reports[0].notice ?? undefined }
    : decideSpending(settings, event, { keyNeeded: false })
  const missing = unreported(selection.files, collected, settings.artifactName)
  // The scripts no shard reported on: read here, for their titles, words and problems (the
  // shards annotated their own).
  const outcomes = await Promise.all(
    missing.map(m => loadScript(workspace, m.file, defaultsOf(settings)))
  )
  annotate(outcomes)
  const own = new Map(rowsFor(outcomes, spending.dryRun).map(row => [row.file, row]))
  const merged = mergeReports(selection.files, collected, missing, own)
  for (const warning of merged.warnings) core.warning(warning)
  const rows = merged.rows

  const lost = lostShards(merged.missing)
  const report = await openReport(settings, event, github, spending, selection.removed, rows)
  // Said at the top of the comment too: a reviewer must not take the table for complete.
  report.context.notice = [report.context.notice, lost].filter(Boolean).join(' ')
  if (reports.some(r => r.artifact) && event.runUrl) {
    report.context.artifactUrl = `${event.runUrl}#artifacts`
    report.context.artifactPerShard = true
  }
  const problems = reports.flatMap(r => (r.unreleased ? [r.unreleased] : []))
  if (settings.release) {
    const entries = reports.flatMap(r => r.released)
    const problem = await updateRelease(settings.release, event, github, entries)
    if (problem) problems.push(problem)
    report.context.release = releaseOf(settings.release, event, rows)
  }
  const unreleased = problems.length ? problems.join('; ') : null

  const { results, unsaved } = await writeResults(
    settings,
    rows,
    report,
    { artifactId: null, directory: null },
    outputs
  )
  const { succeeded, failed } = counts(results)
  info(`${succeeded} succeeded, ${failed} failed, ${results.length - succeeded - failed} skipped`)
  const fatal = reports.find(r => r.fatal)?.fatal ?? null
  const failure =
    fatal ??
    lost ??
    unsaved ??
    (failed && settings.failOnError
      ? `${failed} of ${results.length} scripts did not produce a video`
      : null) ??
    (unreleased && settings.failOnError ? unreleased : null)
  if (failure) core.setFailed(settings.redact(failure))
  for (const said of [lost, unreleased]) if (said && said !== failure) core.warning(said)
}

/**
 * What the aggregate job says about shards whose results did not arrive, or null when they owed
 * none (their scripts were all invalid, which any job can tell).
 */
function lostShards(missing: MissingShard[]): string | null {
  const lost = missing.filter(m => m.skipped.length)
  if (!lost.length) return null
  const count = lost.reduce((sum, m) => sum + m.skipped.length, 0)
  const which = lost
    .map(m => `${m.shard ? `shard ${shardLabel(m.shard)}` : 'every shard'} (${m.skipped.length})`)
    .join(', ')
  return `${count} ${count === 1 ? 'script has' : 'scripts have'} no result, because the shard that owed it reported nothing this job could read: ${which}. They are shown as skipped: re-run the failed jobs of this workflow run.`
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

/** The runner's folder for a job's own files, emptied after every job. */
function tempDir(): string {
  return process.env.RUNNER_TEMP ?? os.tmpdir()
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

/** Uploads `dir` as artifact `name`: the manifest and every file downloaded. */
async function publishArtifact(name: string, rows: Row[], dir: string): Promise<number | null> {
  try {
    const media = rows
      .flatMap(row => [row.video_file, row.thumbnail_file])
      .filter((f): f is string => !!f)
    const artifact = await uploadArtifact(name, dir, media, core.warning)
    info(`Artifact "${artifact.name}" uploaded (id ${artifact.id})`)
    return artifact.id
  } catch (error) {
    core.error(`The artifact could not be uploaded: ${(error as Error).message}`)
    return null
  }
}

function queueClient(settings: Settings): QueueClient {
  return createQueueClient({
    apiUrl: settings.apiUrl,
    apiKey: settings.apiKey,
    organizationId: settings.organizationId,
    observer: {
      onRetry: (attempt, delay, reason) =>
        info(`Request queue: ${reason}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`),
      // The shape of every answer, for a failing run with the real queue to show what it said.
      onAnswer: line => core.debug(`Request queue: ${line}`)
    }
  })
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
function publicResults(rows: Row[], redact: (text: string) => string): Result[] {
  return JSON.parse(redact(JSON.stringify(rows.map(toResult))))
}
