// The job, top to bottom: find the scripts, build their payloads, generate the videos, publish.
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { readSettings, type Settings } from './settings.js'
import { readEvent, type EventInfo } from './github/event.js'
import { createGitHubClient, type GitHubClient } from './github/client.js'
import { findScripts, type Selection } from './find/index.js'
import { openWorkingDirectory } from './find/workspace.js'
import { createScriptParser, loadScript } from './script/index.js'
import { createQueueClient, type QueueClient } from './queue/client.js'
import { preflight, PreflightError, reportParameters } from './queue/preflight.js'
import { checkSetup } from './queue/setup-check.js'
import { generate, notGenerated, type Generated } from './queue/generate.js'
import { decideSpending, type Spending } from './spending.js'
import { planReuse } from './reuse/index.js'
import { createMediaStore, type MediaStore } from './publish/media.js'
import { mediaBases } from './publish/names.js'
import { uploadFiles } from './publish/artifact.js'
import { releaseOf, updateRelease } from './publish/release.js'
import { counts, publicResults, recordOutputs, type Outputs } from './publish/outputs.js'
import { publish } from './publish/index.js'
import { keepMedia, type Kept } from './publish/keep.js'
import { openReport, writeResults, type Report } from './publish/report.js'
import { toResult, rowsFor, requestsOf } from './rows.js'
import { info, startGroup } from './log.js'
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
import { SUCCEEDED, type Problem, type Row, type ScriptOutcome } from './types.js'
import { watchCancellation, type Cancellation } from './cancel.js'

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
