// The aggregate job's table: each script's result from the shard it belongs to, and a script
// whose shard reported nothing read here and shown as skipped, naming that shard.
import { describe, expect, it } from '@jest/globals'
import { mergeReports, unreported } from '../../src/shard/merge.js'
import type { Collected } from '../../src/shard/collect.js'
import type { ReportedResult, ShardReport } from '../../src/shard/report.js'
import { assignShards, homeShard } from '../../src/shard/split.js'
import type { Row } from '../../src/types.js'

const HASH = (c: string) => c.repeat(64)
const FILES = ['videos/intro.md', 'videos/pricing.md', 'videos/tour.md', 'videos/onboarding.md']
/** The shard each of FILES is on, as every job splits them. */
const shardOf = (file: string) => assignShards(FILES, 4).get(file)!

/** The row the aggregate job makes of a script it reads itself: valid, not yet generated. */
function ownRow(file: string, invalid = false): Row {
  return {
    file,
    status: invalid ? 'invalid' : 'skipped',
    hash: invalid ? null : HASH('9'),
    request_id: null,
    video_url: null,
    thumbnail_url: null,
    duration: null,
    error: invalid ? `${file}:2:1 speed: must be at most 1.5` : null,
    media_urls: null,
    video_file: null,
    thumbnail_file: null,
    release_url: null,
    title: 'Read here',
    estimatedSeconds: 4,
    problems: [],
    pending: !invalid
  }
}

function succeeded(file: string, i: number): ReportedResult {
  return {
    file,
    status: 'success',
    hash: HASH(String(i)),
    request_id: `req-${file}`,
    video_url: 'https://media.example/v.mp4',
    thumbnail_url: 'https://media.example/t.jpg',
    duration: 4,
    error: null,
    media_urls: null,
    video_file: file.replace('.md', '.mp4'),
    thumbnail_file: file.replace('.md', '.jpg'),
    release_url: null,
    pending: false,
    remote_status: null,
    resumed: i === 0,
    title: `Title ${i}`,
    estimated_seconds: 4,
    payload: { video_inputs: [] },
    problems: []
  }
}

function report(index: number, results: ReportedResult[]): ShardReport {
  return {
    shard: { index, count: 4 },
    files: results.map(r => r.file),
    dryRun: false,
    notice: null,
    artifact: null,
    fatal: null,
    unreleased: null,
    released: [],
    results
  }
}

/** Every shard reported, each with success for its own scripts, except the `dead` ones. */
function collected(dead: number[] = [], unreadable: Record<number, string> = {}): Collected {
  const reports = new Map<number, ShardReport>()
  for (let index = 1; index <= 4; index++) {
    if (dead.includes(index) || index in unreadable) continue
    const own = FILES.flatMap((file, i) => (shardOf(file) === index ? [succeeded(file, i)] : []))
    reports.set(index, report(index, own))
  }
  return {
    count: 4,
    reports,
    unreadable: new Map(Object.entries(unreadable).map(([k, v]) => [Number(k), v]))
  }
}

/** The aggregate job's steps: find what no shard reported, read those, merge. */
function merge(from: Collected, invalid: string[] = []) {
  const missing = unreported(FILES, from, 'avatar-videos')
  const own = new Map(missing.map(m => [m.file, ownRow(m.file, invalid.includes(m.file))]))
  return mergeReports(FILES, from, missing, own)
}

describe("merging the shards' reports", () => {
  it('takes every script from its shard, as the shard had it, reading none itself', () => {
    const { rows, missing, warnings } = merge(collected())

    expect(missing).toEqual([])
    expect(warnings).toEqual([])
    expect(rows.map(r => [r.file, r.status, r.request_id, r.title])).toEqual(
      FILES.map((file, i) => [file, 'success', `req-${file}`, `Title ${i}`])
    )
    expect(rows[0]).toMatchObject({ payload: { video_inputs: [] }, resumed: true })
    expect(rows[1]!.resumed).toBeUndefined()
  })

  it('shows the scripts of a shard that never reported as skipped, naming the shard', () => {
    const dead = shardOf('videos/tour.md')

    const merged = merge(collected([dead]))

    const tour = merged.rows.find(r => r.file === 'videos/tour.md')!
    expect(tour).toMatchObject({ status: 'skipped', pending: false, title: 'Read here' })
    expect(tour.error).toBe(
      `not generated: shard ${dead}/4 reported no results (the job failed, was cancelled or never ran); re-run it`
    )
    const lost = FILES.filter(f => shardOf(f) === dead)
    expect(merged.missing).toEqual([
      { shard: { index: dead, count: 4 }, files: lost, skipped: lost, why: tour.error }
    ])
    expect(merged.rows.map(r => r.file)).toEqual(FILES)
  })

  it('says why a report that arrived could not be read', () => {
    const index = shardOf('videos/intro.md')

    const { rows } = merge(collected([], { [index]: 'its shard.json is not JSON' }))

    expect(rows.find(r => r.file === 'videos/intro.md')!.error).toBe(
      `not reported: the report of shard ${index}/4 could not be read (its shard.json is not JSON); re-run that job`
    )
  })

  it('keeps an invalid script invalid when its shard reported nothing', () => {
    const merged = merge(collected([shardOf('videos/tour.md')]), ['videos/tour.md'])

    expect(merged.rows.find(r => r.file === 'videos/tour.md')).toMatchObject({
      status: 'invalid',
      error: 'videos/tour.md:2:1 speed: must be at most 1.5'
    })
    const [lost] = merged.missing
    expect(lost!.files).toContain('videos/tour.md')
    expect(lost!.skipped).not.toContain('videos/tour.md')
  })

  it('marks every script when no shard reported at all', () => {
    const { rows, missing } = merge({ count: null, reports: new Map(), unreadable: new Map() })

    expect(rows.every(r => r.status === 'skipped')).toBe(true)
    expect(rows[0]!.error).toBe(
      'not generated: no shard of this run reported (no artifact named avatar-videos-<i>-of-<n>-manifest was found); re-run the failed jobs'
    )
    expect(missing).toEqual([expect.objectContaining({ shard: null, files: FILES })])
  })

  it('reads a script its shard did not select, and names the likely cause', () => {
    const from = collected()
    const index = shardOf('videos/pricing.md')
    const shard = from.reports.get(index)!
    shard.results = shard.results.filter(r => r.file !== 'videos/pricing.md')

    const { rows } = merge(from)

    expect(rows[1]).toMatchObject({ file: 'videos/pricing.md', status: 'skipped' })
    expect(rows[1]!.error).toBe(
      `not reported: shard ${index}/4 did not select this script; check that every job of the matrix checks out the same commit and has the same inputs`
    )
  })

  it('keeps a request a shard paid for, even for a script this job did not select', () => {
    const extra = 'videos/added-later.md'
    const from = collected()
    const index = homeShard(extra, 4)
    from.reports.get(index)!.results.push(succeeded(extra, 7))

    const { rows, warnings } = merge(from)

    expect(rows.at(-1)).toMatchObject({
      file: extra,
      status: 'success',
      request_id: `req-${extra}`
    })
    expect(warnings).toEqual([
      `${extra}: reported by shard ${index}/4, but not selected by this job; check that every job of the matrix checks out the same commit and has the same inputs`
    ])
  })
})
