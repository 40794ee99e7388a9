// The aggregate job's table: each script's result from the shard it belongs to, and a script
// whose shard reported nothing shown as skipped, naming that shard.
import { describe, expect, it } from '@jest/globals'
import { mergeReports } from '../../src/shard/merge.js'
import type { Collected } from '../../src/shard/collect.js'
import type { ReportedResult, ShardReport } from '../../src/shard/report.js'
import { assignShards, homeShard } from '../../src/shard/split.js'
import type { Row } from '../../src/types.js'

const HASH = (c: string) => c.repeat(64)
const FILES = ['videos/intro.md', 'videos/pricing.md', 'videos/tour.md', 'videos/onboarding.md']
/** The shard each of FILES is on, as every job splits them. */
const shardOf = (file: string) => assignShards(FILES, 4).get(file)!

/** The rows the aggregate job builds from its own reading: every valid script pending. */
function ownRows(): Row[] {
  return FILES.map((file, i) => ({
    file,
    status: 'skipped',
    hash: HASH(String(i)),
    request_id: null,
    video_url: null,
    thumbnail_url: null,
    duration: null,
    error: null,
    video_file: null,
    thumbnail_file: null,
    release_url: null,
    title: `Title ${i}`,
    estimatedSeconds: 4,
    problems: [],
    payload: { video_inputs: [] },
    pending: true
  }))
}

function succeeded(file: string, hash: string): ReportedResult {
  return {
    file,
    status: 'success',
    hash,
    request_id: `req-${file}`,
    video_url: 'https://media.example/v.mp4',
    thumbnail_url: 'https://media.example/t.jpg',
    duration: 4,
    error: null,
    video_file: file.replace('.md', '.mp4'),
    thumbnail_file: file.replace('.md', '.jpg'),
    release_url: null,
    pending: false,
    remote_status: null,
    resumed: false
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
    const own = FILES.flatMap((file, i) =>
      shardOf(file) === index ? [succeeded(file, HASH(String(i)))] : []
    )
    reports.set(index, report(index, own))
  }
  return {
    count: 4,
    reports,
    unreadable: new Map(Object.entries(unreadable).map(([k, v]) => [Number(k), v]))
  }
}

describe("merging the shards' reports", () => {
  it("takes each script's result from its shard, keeping the words this job read", () => {
    const { rows, missing, warnings } = mergeReports(ownRows(), collected(), 'avatar-videos')

    expect(missing).toEqual([])
    expect(warnings).toEqual([])
    expect(rows.map(r => [r.file, r.status, r.pending, r.request_id])).toEqual(
      FILES.map(file => [file, 'success', false, `req-${file}`])
    )
    expect(rows[0]).toMatchObject({ title: 'Title 0', payload: { video_inputs: [] } })
  })

  it('shows the scripts of a shard that never reported as skipped, naming the shard', () => {
    const dead = shardOf('videos/tour.md')

    const { rows, missing } = mergeReports(ownRows(), collected([dead]), 'avatar-videos')

    const tour = rows.find(r => r.file === 'videos/tour.md')!
    expect(tour).toMatchObject({ status: 'skipped', pending: false, request_id: null })
    expect(tour.error).toBe(
      `not generated: shard ${dead}/4 reported no results (the job failed, was cancelled or never ran); re-run it`
    )
    expect(missing).toEqual([
      {
        shard: { index: dead, count: 4 },
        files: FILES.filter(f => shardOf(f) === dead),
        skipped: FILES.filter(f => shardOf(f) === dead),
        why: tour.error
      }
    ])
  })

  it('says why a report that arrived could not be read', () => {
    const index = shardOf('videos/intro.md')

    const { rows } = mergeReports(
      ownRows(),
      collected([], { [index]: 'its shard.json is not JSON' }),
      'avatar-videos'
    )

    expect(rows.find(r => r.file === 'videos/intro.md')!.error).toBe(
      `not reported: the report of shard ${index}/4 could not be read (its shard.json is not JSON); re-run that job`
    )
  })

  it('keeps an invalid script invalid when its shard reported nothing', () => {
    const rows = ownRows()
    Object.assign(rows[2]!, {
      status: 'invalid',
      pending: false,
      hash: null,
      error: 'videos/tour.md:2:1 speed: must be at most 1.5'
    })

    const merged = mergeReports(rows, collected([shardOf('videos/tour.md')]), 'avatar-videos')

    expect(merged.rows[2]).toMatchObject({
      status: 'invalid',
      error: 'videos/tour.md:2:1 speed: must be at most 1.5'
    })
    expect(merged.missing[0]!.files).toContain('videos/tour.md')
    expect(merged.missing[0]!.skipped).not.toContain('videos/tour.md')
  })

  it('marks every script when no shard reported at all', () => {
    const { rows, missing } = mergeReports(
      ownRows(),
      { count: null, reports: new Map(), unreadable: new Map() },
      'avatar-videos'
    )

    expect(rows.every(r => r.status === 'skipped')).toBe(true)
    expect(rows[0]!.error).toBe(
      'not generated: no shard of this run reported (no artifact named avatar-videos-<i>-of-<n>-manifest was found); re-run the failed jobs'
    )
    expect(missing).toEqual([expect.objectContaining({ shard: null, files: FILES })])
  })

  it('keeps a request a shard paid for, even for a script this job did not select', () => {
    const extra = 'videos/added-later.md'
    const reports = collected()
    const index = homeShard(extra, 4)
    reports.reports.get(index)!.results.push(succeeded(extra, HASH('e')))

    const { rows, warnings } = mergeReports(ownRows(), reports, 'avatar-videos')

    expect(rows.at(-1)).toMatchObject({
      file: extra,
      status: 'success',
      request_id: `req-${extra}`
    })
    expect(warnings).toEqual([
      `${extra}: reported by shard ${index}/4, but not selected by this job; check that every job of the matrix checks out the same commit and has the same inputs`
    ])
  })

  it('trusts the hash the shard sent, not its own, when the two read different versions', () => {
    const reports = collected()
    const index = shardOf('videos/intro.md')
    reports.reports.get(index)!.results.find(r => r.file === 'videos/intro.md')!.hash = HASH('f')

    const { rows, warnings } = mergeReports(ownRows(), reports, 'avatar-videos')

    // The saved state then names the payload that was paid for.
    expect(rows[0]).toMatchObject({ hash: HASH('f'), status: 'success' })
    expect(rows[0]!.payload).toBeUndefined()
    expect(warnings[0]).toMatch(/^videos\/intro\.md: shard \d\/4 read another version/)
  })
})
