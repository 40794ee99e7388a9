// The job, top to bottom: find the scripts, build their payloads, generate the videos, publish.
import path from 'node:path'
import * as core from '@actions/core'
import { readSettings, type Settings } from './settings.js'
import { readEvent, type EventInfo } from './github/event.js'
import { createGitHubClient, type GitHubClient } from './github/client.js'
import { findScripts } from './find/index.js'
import { loadScript } from './script/index.js'
import { createQueueClient } from './queue/client.js'
import { preflight } from './queue/preflight.js'
import { generate, type Generated } from './queue/generate.js'
import { decideSpending } from './spending.js'
import { planReuse } from './reuse.js'
import { renderReport, marker, type RenderContext } from './publish/render.js'
import { decodeState } from './publish/state.js'
import { findComment, tokenIdentity, LiveComment, type Found } from './publish/comment.js'
import { downloadMedia } from './publish/media.js'
import { uploadArtifact } from './publish/artifact.js'
import { counts, setOutputs } from './publish/outputs.js'
import { toResult, rowsFor, requestsOf } from './rows.js'
import type { Row, ScriptOutcome } from './types.js'

/** At most one live comment edit per this many milliseconds. */
const LIVE_EDIT_INTERVAL_MS = 5000

export async function run(): Promise<void> {
  const cancel = watchCancellation()
  let settings: Settings | undefined
  try {
    settings = readSettings()
    await job(settings, readEvent(), cancel.signal)
  } catch (error) {
    core.setFailed(redact((error as Error).message, settings?.apiKey))
  } finally {
    cancel.dispose()
  }
}

async function job(settings: Settings, event: EventInfo, signal: AbortSignal): Promise<void> {
  const workspace = path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd())
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

  // 3. Find the earlier comment: where the results go, and what an earlier run left to reuse.
  const target =
    settings.comment && github && event.pullRequest
      ? { owner: event.owner, repo: event.repo, issueNumber: event.pullRequest.number }
      : null
  const existing = target && github ? await findEarlierComment(github, target, settings) : null
  const context: RenderContext = {
    commentKey: settings.commentKey,
    repoUrl: `${event.serverUrl}/${event.owner}/${event.repo}`,
    headSha: event.sha || null,
    runUrl: event.runUrl,
    artifactUrl: null,
    dryRun: spending.dryRun,
    notice: spending.notice,
    removed: selection.removed,
    mediaExpiry:
      'Video links come from the request queue and may expire; the workflow artifact keeps a copy.',
    final: false
  }
  const live =
    target && github && (rows.length || existing)
      ? new LiveComment(github, target, existing, LIVE_EDIT_INTERVAL_MS, core.warning)
      : null
  const show = () => live?.update(redact(renderReport(rows, context), settings.apiKey))

  // 4. Generate: reuse what was paid for already, resume what an earlier run left rendering.
  if (!spending.dryRun && rows.some(r => r.pending)) {
    const requests = [...requestsOf(outcomes).values()]
    const plan = planReuse(requests, settings.reuse ? decodeState(existing?.body ?? '') : [])
    const client = createQueueClient({
      apiUrl: settings.apiUrl,
      apiKey: settings.apiKey,
      organizationId: settings.organizationId,
      observer: {
        onRetry: (attempt, delay, reason) =>
          core.info(`Request queue: ${reason}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`)
      }
    })
    await preflight(client, [...new Set(plan.jobs.map(j => j.request.model))], core.warning, signal)
    show()
    core.startGroup(`Generating ${plan.jobs.length} videos`)
    const generated = await generate(plan.jobs, {
      client,
      maxConcurrency: settings.maxConcurrency,
      pollInterval: settings.pollInterval,
      timeout: settings.timeout,
      signal,
      onProgress: progress => {
        core.info(
          `${progress.file}: ${progress.status}${progress.requestId ? ` (${progress.requestId})` : ''}`
        )
        const row = rows.find(r => r.file === progress.file)
        if (!row) return
        if (progress.final) applyGenerated(row, progress.final)
        else row.remoteStatus = progress.status
        row.request_id = progress.requestId ?? row.request_id
        show()
      },
      onSummary: c => core.info(progressLine(c))
    })
    core.endGroup()
    for (const outcome of generated)
      applyGenerated(rows.find(r => r.file === outcome.file) as Row, outcome)
  }

  // 5. Publish: artifact, comment, summary, outputs.
  const results = rows.map(toResult)
  let artifactId: number | null = null
  if (settings.artifact && !signal.aborted && results.some(r => r.video_url)) {
    artifactId = await publishArtifact(settings, rows)
    if (artifactId !== null && event.runUrl)
      context.artifactUrl = `${event.runUrl}/artifacts/${artifactId}`
  }
  context.final = true
  const finalResults = rows.map(toResult)
  let commentUrl: string | null = null
  if (live) {
    try {
      commentUrl = (await live.finish(redact(renderReport(rows, context), settings.apiKey))).url
      core.info(`Comment: ${commentUrl}`)
    } catch (error) {
      core.warning(`${(error as Error).message}. The results are in the job summary.`)
    }
  }
  if (rows.length || selection.removed.length) {
    await core.summary
      .addRaw(redact(renderReport(rows, context, { forSummary: true }), settings.apiKey))
      .write()
  }
  setOutputs(JSON.parse(redact(JSON.stringify(finalResults), settings.apiKey)), {
    commentUrl,
    artifactId
  })

  const { succeeded, failed } = counts(finalResults)
  core.info(
    `${succeeded} succeeded, ${failed} failed, ${finalResults.length - succeeded - failed} skipped`
  )
  if (failed && settings.failOnError) {
    core.setFailed(`${failed} of ${finalResults.length} scripts did not produce a video`)
  }
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
  for (const outcome of outcomes) {
    const problems = outcome.ok ? [] : outcome.problems
    for (const p of problems) {
      core.error(`${p.key ? `${p.key}: ` : ''}${p.message}`, {
        file: p.file,
        startLine: p.line,
        startColumn: p.column,
        title: 'Invalid video script'
      })
    }
    for (const w of outcome.warnings) {
      core.warning(`${w.key ? `${w.key}: ` : ''}${w.message}`, {
        file: w.file,
        startLine: w.line,
        startColumn: w.column,
        title: 'Video script'
      })
    }
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

function applyGenerated(row: Row, generated: Generated): void {
  row.pending = false
  row.status = generated.status
  row.request_id = generated.requestId
  row.video_url = generated.videoUrl
  row.thumbnail_url = generated.thumbnailUrl
  row.duration = generated.duration
  row.error = generated.error
}

async function publishArtifact(settings: Settings, rows: Row[]): Promise<number | null> {
  const dir = path.join(process.env.RUNNER_TEMP ?? process.cwd(), `avatar-videos-${process.pid}`)
  try {
    const downloaded = await downloadMedia(rows, dir)
    const media = downloaded.flatMap(d => [d.video, d.thumbnail]).filter((f): f is string => !!f)
    const artifact = await uploadArtifact(settings.artifactName, dir, rows.map(toResult), media)
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
