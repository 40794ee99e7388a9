// The aggregate job's rows: one per selected script, in the selection's order, each made of the
// result the script's shard reported. A script whose shard reported nothing is read by the
// aggregate job itself and shown as `skipped`, with a note naming the shard: nothing is lost
// silently.
import type { Row } from '../types.js'
import type { ReportedResult } from './report.js'
import type { Collected } from './collect.js'
import { assignShards, shardLabel, type Shard } from './split.js'

/** A shard whose results did not arrive, and the selected scripts that were its own. */
export interface MissingShard {
  /** Null when no shard reported at all: then the number of shards is unknown. */
  shard: Shard | null
  files: string[]
  /** Those of `files` now shown as skipped: all but the invalid ones, which need no shard. */
  skipped: string[]
  why: string
}

export interface Merged {
  rows: Row[]
  missing: MissingShard[]
  /** Disagreements between a shard and this job, for the log. */
  warnings: string[]
}

/** A selected script no shard reported on, and why. */
export interface Unreported {
  file: string
  /** Its shard, when the number of shards is known. */
  shard: Shard | null
  why: string
}

/** The selected `files` that no readable report covers: the aggregate job reads those itself. */
export function unreported(
  files: string[],
  collected: Collected,
  artifactName: string
): Unreported[] {
  const { count, reports, unreadable } = collected
  if (count === null) {
    const why = `not generated: no shard of this run reported (no artifact named ${artifactName}-<i>-of-<n>-manifest was found); re-run the failed jobs`
    return files.map(file => ({ file, shard: null, why }))
  }
  // Split as the shards split the same selection.
  const assigned = assignShards(files, count)
  return files.flatMap(file => {
    const shard = { index: assigned.get(file) ?? 1, count }
    const label = shardLabel(shard)
    const report = reports.get(shard.index)
    const problem = unreadable.get(shard.index)
    const why = problem
      ? `not reported: the report of shard ${label} could not be read (${problem}); re-run that job`
      : !report
        ? `not generated: shard ${label} reported no results (the job failed, was cancelled or never ran); re-run it`
        : report.results.some(r => r.file === file)
          ? null
          : `not reported: shard ${label} did not select this script; check that every job of the matrix checks out the same commit and has the same inputs`
    return why ? [{ file, shard, why }] : []
  })
}

/**
 * One row per selected script: from its shard's report, or, for `missing` (from `unreported`),
 * the row this job made by reading the script (`own`), shown as skipped unless it is invalid.
 * Scripts a shard reported but this job did not select (a shard that checked out another commit)
 * come last: the requests they paid for are still saved.
 */
export function mergeReports(
  files: string[],
  collected: Collected,
  missing: Unreported[],
  own: Map<string, Row>
): Merged {
  const results = new Map<string, ReportedResult>()
  const shardOf = new Map<string, Shard>()
  for (const report of collected.reports.values()) {
    for (const result of report.results) {
      results.set(result.file, result)
      shardOf.set(result.file, report.shard)
    }
  }
  const absent = new Map(missing.map(m => [m.file, m]))
  const lost = new Map<string, MissingShard>()
  const rows = files.map(file => {
    const gone = absent.get(file)
    const result = results.get(file)
    if (!gone && result) return rowOf(result)
    const row = own.get(file)
    if (!gone || !row) throw new Error(`${file}: neither reported by a shard nor read`)
    const key = gone.shard ? shardLabel(gone.shard) : ''
    const entry = lost.get(key) ?? { shard: gone.shard, files: [], skipped: [], why: gone.why }
    lost.set(key, entry)
    entry.files.push(file)
    // An invalid script is invalid whichever job reads it; any other had no result.
    if (row.status !== 'invalid' || row.pending) {
      entry.skipped.push(file)
      row.pending = false
      row.status = 'skipped'
      row.error = gone.why
    }
    return row
  })

  const selected = new Set(files)
  const extra = [...results.values()].filter(result => !selected.has(result.file))
  const warnings = extra.map(
    result =>
      `${result.file}: reported by shard ${shardLabel(shardOf.get(result.file)!)}, but not selected by this job; check that every job of the matrix checks out the same commit and has the same inputs`
  )
  const order = [...lost.values()].sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0))
  return { rows: [...rows, ...extra.map(rowOf)], missing: order, warnings }
}

/** The row a shard's result stands for, as the shard had it. */
function rowOf(result: ReportedResult): Row {
  return {
    file: result.file,
    status: result.status,
    hash: result.hash,
    request_id: result.request_id,
    video_url: result.video_url,
    thumbnail_url: result.thumbnail_url,
    duration: result.duration,
    error: result.error,
    media_urls: result.media_urls,
    video_file: result.video_file,
    thumbnail_file: result.thumbnail_file,
    release_url: result.release_url,
    title: result.title,
    estimatedSeconds: result.estimated_seconds,
    problems: result.problems,
    ...(result.payload ? { payload: result.payload } : {}),
    ...(result.pending ? { pending: true } : {}),
    ...(result.remote_status ? { remoteStatus: result.remote_status } : {}),
    ...(result.resumed ? { resumed: true } : {}),
    ...(result.before === undefined ? {} : { before: result.before })
  }
}
