// The aggregate job's rows: its own reading of every selected script (titles, words, problems),
// with each script's result taken from the report of the shard it belongs to. A script whose shard
// reported nothing is shown as `skipped`, with a note naming the shard: nothing is lost silently.
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

/**
 * Fills `rows` (one per selected script, as this job read them) with the shards' results. Rows
 * are changed in place and returned with any script a shard reported but this job did not
 * select (a shard that checked out another commit): its request is then still saved.
 */
export function mergeReports(rows: Row[], collected: Collected, artifactName: string): Merged {
  const { count, reports, unreadable } = collected
  const warnings: string[] = []
  const missing = new Map<number, MissingShard>()
  const absent = (index: number | null, row: Row, why: string) => {
    const key = index ?? 0
    const entry = missing.get(key) ?? {
      shard: index === null || count === null ? null : { index, count },
      files: [],
      skipped: [],
      why
    }
    entry.files.push(row.file)
    missing.set(key, entry)
    // An invalid script is invalid whichever job reads it; any other had no result.
    if (row.status === 'invalid' && !row.pending) return
    entry.skipped.push(row.file)
    row.pending = false
    row.status = 'skipped'
    row.error = why
  }

  // Split as the shards split the same selection.
  const assigned =
    count === null
      ? null
      : assignShards(
          rows.map(row => row.file),
          count
        )
  const seen = new Set<string>()
  for (const row of rows) {
    seen.add(row.file)
    if (count === null || !assigned) {
      absent(
        null,
        row,
        `not generated: no shard of this run reported (no artifact named ${artifactName}-<i>-of-<n>-manifest was found); re-run the failed jobs`
      )
      continue
    }
    const index = assigned.get(row.file) ?? 1
    const label = shardLabel({ index, count })
    const report = reports.get(index)
    if (!report) {
      const why = unreadable.has(index)
        ? `not reported: the report of shard ${label} could not be read (${unreadable.get(index)}); re-run that job`
        : `not generated: shard ${label} reported no results (the job failed, was cancelled or never ran); re-run it`
      absent(index, row, why)
      continue
    }
    const result = report.results.find(r => r.file === row.file)
    if (!result) {
      absent(
        index,
        row,
        `not reported: shard ${label} did not select this script; check that every job of the matrix checks out the same commit and has the same inputs`
      )
      continue
    }
    if (result.hash !== row.hash) {
      warnings.push(
        `${row.file}: shard ${label} read another version of this script than this job did; check that every job of the matrix checks out the same commit and has the same inputs`
      )
      // What was sent is what the shard read: the words this job read would mislead.
      delete row.payload
    }
    apply(row, result)
  }

  // Requests a shard paid for stay saved, even for a script this job did not select.
  const extra: Row[] = []
  for (const report of reports.values()) {
    for (const result of report.results) {
      if (seen.has(result.file)) continue
      seen.add(result.file)
      warnings.push(
        `${result.file}: reported by shard ${shardLabel(report.shard)}, but not selected by this job; check that every job of the matrix checks out the same commit and has the same inputs`
      )
      extra.push(apply(blankRow(result.file), result))
    }
  }
  const order = [...missing.values()].sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0))
  return { rows: [...rows, ...extra], missing: order, warnings }
}

function apply(row: Row, result: ReportedResult): Row {
  row.status = result.status
  row.hash = result.hash
  row.request_id = result.request_id
  row.video_url = result.video_url
  row.thumbnail_url = result.thumbnail_url
  row.duration = result.duration
  row.error = result.error
  row.video_file = result.video_file
  row.thumbnail_file = result.thumbnail_file
  row.release_url = result.release_url
  row.pending = result.pending
  row.remoteStatus = result.remote_status ?? undefined
  row.resumed = result.resumed || undefined
  // The problems explain an invalid script; for any other status they would contradict it.
  if (result.status !== 'invalid') row.problems = []
  return row
}

function blankRow(file: string): Row {
  return {
    file,
    status: 'skipped',
    hash: null,
    request_id: null,
    video_url: null,
    thumbnail_url: null,
    duration: null,
    error: null,
    video_file: null,
    thumbnail_file: null,
    release_url: null,
    title: null,
    estimatedSeconds: null,
    problems: []
  }
}
