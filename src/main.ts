// The job, top to bottom: find the scripts, build their payloads, generate the videos, publish.
import path from 'node:path'
import { watchCancellation, type Cancellation } from './cancel.js'
import { defaultsOf, readSettings, type Settings } from './settings.js'
import { readEvent, tempDir, type EventInfo } from './github/event.js'
import { createGitHubClient } from './github/client.js'
import { openWorkingDirectory } from './find/workspace.js'
import { ownScripts, selectScripts } from './find/select.js'
import { annotate, createScriptParser, loadScript } from './script/index.js'
import { decideSpending } from './spending.js'
import { rowsFor } from './rows.js'
import { openReport } from './publish/report.js'
import { createMediaStore } from './publish/media.js'
import { mediaBases } from './publish/names.js'
import {
  checkMySetup,
  generateVideos,
  holdBack,
  queueClient,
  type Generation
} from './generation.js'
import { publish } from './publish/index.js'
import { recordOutputs, type Outputs } from './publish/outputs.js'
import { publishShard } from './shard/publish.js'
import { aggregate } from './shard/aggregate.js'
import { readBaseVersions, showEarlierVideos } from './reuse/before.js'
import { listOnce } from './reuse/sources.js'
import { log, logText } from './log.js'

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
    log.failed(settings ? settings.redact(message) : message)
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
    ? createGitHubClient(settings.githubToken, { warn: log.warning, signal: cancel.lastCalls })
    : null
  // The final job of a matrix generates nothing: it reports what the shards did.
  if (settings.aggregate) return aggregate(settings, event, github, workspace, entry, outputs)
  const spending = decideSpending(settings, event)
  // The notice can name what the payload says (an association, an event): escaped like all text.
  if (spending.dryRun)
    log.notice(logText(`Dry run: nothing is submitted. ${spending.notice ?? ''}`.trim()))

  // 1. Find the scripts the event touched; a shard of a matrix keeps its own.
  const selection = await selectScripts(settings, event, workspace, github)
  const files = settings.shard ? ownScripts(selection, settings.shard) : selection.files

  // 2. Turn each into a validated payload before any money is spent.
  const parser = createScriptParser(entry, { warn: log.warning })
  const defaults = defaultsOf(settings)
  const read = async () => {
    const outcomes = await Promise.all(
      files.map(file => loadScript(workspace, file, defaults, parser.parse))
    )
    // The same scripts at the pull request's base, for the comment's before/after.
    const bases = await readBaseVersions(event, selection, files, workspace, defaults, parser.parse)
    return { outcomes, bases }
  }
  const { outcomes, bases } = await read().finally(() => parser.close())
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
    scrub: settings.redact,
    maxBytes: settings.maxDownloadSize,
    timeout: settings.timeout,
    signal
  })
  // The earlier videos of changed scripts, found where reuse looks: shown, never paid for.
  const saved = report.context.carry ?? []
  const { release, redact } = settings
  // Both look in the request list before anything is submitted: it is read once for the two.
  const lookups = client && listOnce(client)
  await showEarlierVideos(rows, bases, {
    github,
    event,
    release,
    saved,
    client: lookups,
    redact,
    signal
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
            { queue: client, lookups: lookups ?? client },
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
    const budget = spending.dryRun ? null : (report.context.budget ?? null)
    const shardRun = { shard: settings.shard, files, spending, fatal, budget }
    return publishShard(settings, shardRun, event, github, signal, rows, media, outputs)
  }
  return publish(settings, event, github, signal, rows, report, media, outputs, generated)
}
