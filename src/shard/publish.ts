// A shard's end: its videos kept under its own artifact name, and its report handed to the
// aggregate job, which writes the comment and the summary for every shard.
import path from 'node:path'
import type { Settings } from '../settings.js'
import { tempDir, type EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import type { Spending } from '../spending.js'
import { uploadFiles } from '../publish/artifact.js'
import { keepMedia, type Kept } from '../publish/keep.js'
import type { MediaStore } from '../publish/media.js'
import { counts, publicResults, type Outputs } from '../publish/outputs.js'
import { toResult } from '../rows.js'
import { info, log } from '../log.js'
import type { Row } from '../types.js'
import type { Budget } from '../budget.js'
import { REPORT_FILE, writeShardReport, type ShardReport } from './report.js'
import { reportArtifactName, shardArtifactName, shardLabel, type Shard } from './split.js'

/** What a shard did, for its report. */
export interface ShardRun {
  shard: Shard
  /** The selected scripts that are this shard's. */
  files: string[]
  spending: Spending
  /** What stopped the whole shard, or null. */
  fatal: string | null
  /** The shard's estimated minutes under its cap, when it generated. */
  budget: Budget | null
}

/**
 * A shard's publishing: its videos as the artifact `<artifact-name>-i-of-n` (and to the release),
 * its report for the aggregate job, and its outputs. No comment and no summary: the aggregate job
 * writes those, for every script, and fails on failed scripts. A shard fails only when it could
 * not work at all, or could not hand over its report.
 */
export async function publishShard(
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
  if (failure) log.failed(settings.redact(failure))
  if (kept.unreleased) log.warning(kept.unreleased)
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
    budget: run.budget,
    results: rows.map(row => ({
      ...toResult(row),
      pending: !!row.pending,
      remote_status: row.remoteStatus ?? null,
      resumed: !!row.resumed,
      title: row.title,
      estimated_seconds: row.estimatedSeconds,
      payload: row.payload ?? null,
      problems: row.problems,
      ...(row.before === undefined ? {} : { before: row.before })
    }))
  }
  try {
    const dir = path.join(tempDir(), `avatar-shard-report-${process.pid}`)
    await writeShardReport(dir, report, settings.redact)
    // Under its own name or not at all: the aggregate job looks for that name.
    const artifact = await uploadFiles(name, dir, [REPORT_FILE], log.warning, { rename: false })
    info(`Report "${artifact.name}" uploaded (id ${artifact.id}) for the aggregate job`)
    return null
  } catch (error) {
    const paid = rows.filter(row => row.request_id && row.status !== 'reused')
    const ids = paid.map(row => `${row.request_id} (${row.file})`).join(', ')
    return `The report of shard ${shardLabel(run.shard)} could not be uploaded as "${name}" (${(error as Error).message}): the aggregate job will show its ${rows.length} scripts as skipped${ids ? `, and the requests it paid for are not saved for the next run: ${ids}` : ''}`
  }
}
