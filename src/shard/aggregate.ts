// The final job of a matrix: every shard's report read back, and reported as one job would have.
import path from 'node:path'
import { defaultsOf, type Settings } from '../settings.js'
import { tempDir, type EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { selectScripts } from '../find/select.js'
import { annotate, createScriptParser, loadScript } from '../script/index.js'
import { decideSpending } from '../spending.js'
import { shardsBudget } from '../budget.js'
import { rowsFor } from '../rows.js'
import { openReport, writeResults } from '../publish/report.js'
import { releaseOf, updateRelease } from '../publish/release.js'
import { decideRelease } from '../publish/release-gate.js'
import { counts, type Outputs } from '../publish/outputs.js'
import { info, log, startGroup } from '../log.js'
import { collectReports } from './collect.js'
import { mergeReports, unreported, type MissingShard } from './merge.js'
import { shardLabel } from './split.js'
import { releaseDownloads, type ReportRules } from './trust.js'

/**
 * The final job of a matrix (`aggregate: true`): reads every shard's report of this workflow run
 * and writes, for all the selected scripts, the one comment, the job summary, the outputs and the
 * release's manifest.json, as one job doing all the work would have. It selects the scripts
 * itself, so it knows which ones a shard that reported nothing owed, and reads only those.
 */
export async function aggregate(
  settings: Settings,
  event: EventInfo,
  github: GitHubClient | null,
  workspace: string,
  entry: URL | null,
  outputs: Outputs
): Promise<void> {
  const selection = await selectScripts(settings, event, workspace, github)
  const endGroup = startGroup("Reading the shards' reports")
  const dir = path.join(tempDir(), `avatar-shard-reports-${process.pid}`)
  // Every shard of a run decides the same as this job: a report that says otherwise is not theirs.
  const spending = decideSpending(settings, event, { keyNeeded: false })
  const rules: ReportRules = {
    artifactName: settings.artifactName,
    dryRun: spending.dryRun,
    releaseDownloads: releaseDownloads({ ...event, tag: settings.release })
  }
  const collected = await collectReports(settings.artifactName, dir, info, {
    rules,
    warn: log.warning
  }).finally(endGroup)
  const reports = [...collected.reports.values()].sort((a, b) => a.shard.index - b.shard.index)

  const missing = unreported(selection.files, collected, settings.artifactName)
  // The scripts no shard reported on: read here, for their titles, words and problems (the
  // shards annotated their own), under the same time limit as in any other run.
  const parser = createScriptParser(entry, { warn: log.warning })
  const outcomes = await Promise.all(
    missing.map(m => loadScript(workspace, m.file, defaultsOf(settings), parser.parse))
  ).finally(() => parser.close())
  annotate(outcomes)
  const own = new Map(rowsFor(outcomes, spending.dryRun).map(row => [row.file, row]))
  const merged = mergeReports(selection.files, collected, missing, own)
  for (const warning of merged.warnings) log.warning(warning)
  const rows = merged.rows

  const lost = lostShards(merged.missing)
  const report = await openReport(settings, event, github, spending, selection.removed, rows)
  // Said at the top of the comment too: a reviewer must not take the table for complete.
  report.context.notice = [report.context.notice, lost].filter(Boolean).join(' ')
  if (!spending.dryRun)
    report.context.budget = shardsBudget(
      reports.map(r => r.budget),
      settings.maxMinutes
    )
  if (reports.some(r => r.artifact) && event.runUrl) {
    report.context.artifactUrl = `${event.runUrl}#artifacts`
    report.context.artifactPerShard = true
  }
  const problems = reports.flatMap(r => (r.unreleased ? [r.unreleased] : []))
  if (settings.release) {
    const entries = reports.flatMap(r => r.released)
    const decision = decideRelease(event, settings.releaseBranches)
    const problem = await updateRelease(settings.release, decision, event, github, entries)
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
  if (failure) log.failed(settings.redact(failure))
  for (const said of [lost, unreleased]) if (said && said !== failure) log.warning(said)
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
