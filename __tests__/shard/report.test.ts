// The report a shard hands the aggregate job, read back as untrusted input.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  REPORT_FILE,
  readShardReport,
  writeShardReport,
  type ShardReport
} from '../../src/shard/report.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shard-report-'))
})
afterEach(async () => rm(dir, { recursive: true, force: true }))

const KEY = 'gmi-secret-key'
const report: ShardReport = {
  shard: { index: 2, count: 4 },
  files: ['videos/intro.md'],
  dryRun: false,
  notice: null,
  artifact: { id: 1002, name: 'avatar-videos-2-of-4' },
  fatal: null,
  unreleased: null,
  released: [],
  budget: { estimatedSeconds: 12, scripts: 1, over: 0 },
  results: [
    {
      file: 'videos/intro.md',
      status: 'timeout',
      hash: 'a'.repeat(64),
      request_id: 'req-1',
      video_url: null,
      thumbnail_url: null,
      duration: null,
      error: `still processing after 1800 s (key ${KEY})`,
      media_urls: null,
      video_file: null,
      thumbnail_file: null,
      release_url: null,
      pending: false,
      remote_status: 'processing',
      resumed: true,
      title: 'Intro',
      estimated_seconds: 12,
      payload: { title: 'Intro', video_inputs: [] },
      problems: []
    }
  ]
}
const scrub = (text: string) => text.split(KEY).join('***')

describe('a shard report', () => {
  it('reads back what the shard wrote, without the key', async () => {
    await writeShardReport(dir, report, scrub)

    expect(await readFile(path.join(dir, REPORT_FILE), 'utf8')).not.toContain(KEY)
    const read = await readShardReport(dir, { index: 2, count: 4 })
    expect(read).toEqual({
      ...report,
      results: [{ ...report.results[0], error: 'still processing after 1800 s (key ***)' }]
    })
  })

  it("refuses another shard's report under this shard's name", async () => {
    await writeShardReport(dir, report, scrub)

    await expect(readShardReport(dir, { index: 3, count: 4 })).rejects.toThrow(
      "its shard.json is shard 2/4's, not 3/4's"
    )
  })

  it.each([
    ['not JSON', '{', 'its shard.json is not JSON'],
    [
      'a status no run gives',
      JSON.stringify({
        version: 1,
        shard: '2/4',
        files: [],
        dry_run: false,
        notice: null,
        artifact: null,
        fatal: null,
        unreleased: null,
        released: [],
        results: [{ ...report.results[0], status: 'done' }]
      }),
      /^its shard\.json is not a shard report at results\.0\.status: /
    ],
    ['of another version', JSON.stringify({ version: 2 }), /at version: /]
  ])('refuses a report that is %s', async (_, text, message) => {
    await writeFile(path.join(dir, REPORT_FILE), text)

    await expect(readShardReport(dir, { index: 2, count: 4 })).rejects.toThrow(message)
  })

  it('says so when the artifact holds no report', async () => {
    await expect(readShardReport(dir, { index: 2, count: 4 })).rejects.toThrow(
      'it holds no shard.json'
    )
  })

  // Another job of the run can upload an artifact under a report's name: every field that leads
  // somewhere (a file, a link, a request) must be one the action itself would have written.
  const result = report.results[0]!
  it.each([
    ['an absolute script path', { file: '/etc/passwd' }, 'results.0.file'],
    ['a script path that leaves the workspace', { file: 'videos/../../x.md' }, 'results.0.file'],
    [
      'a video file outside the artifact',
      { video_file: '../../../../home/runner/.bashrc' },
      'results.0.video_file'
    ],
    ["another script's video file", { video_file: 'videos/pricing.mp4' }, 'results.0.video_file'],
    [
      'a thumbnail file of another name',
      { thumbnail_file: 'videos/intro.sh' },
      'results.0.thumbnail_file'
    ],
    [
      'a video link over plain http',
      { video_url: 'http://169.254.169.254/latest' },
      'results.0.video_url'
    ],
    ['a javascript: link', { thumbnail_url: 'javascript:alert(1)' }, 'results.0.thumbnail_url'],
    [
      'a media link with credentials',
      { media_urls: ['https://u:p@cdn.example/v.mp4'] },
      'results.0.media_urls.0'
    ],
    ['a request id of several words', { request_id: 'req-1\n::error::x' }, 'results.0.request_id'],
    [
      'a problem of another script',
      { problems: [{ file: 'videos/other.md', line: 1, column: 1, message: 'x' }] },
      'results.0.problems'
    ]
  ])('refuses a report with %s', async (_, change, where) => {
    await writeShardReport(dir, { ...report, results: [{ ...result, ...change }] }, scrub)

    await expect(readShardReport(dir, { index: 2, count: 4 })).rejects.toThrow(
      `its shard.json is not a shard report at ${where}: `
    )
  })

  it('takes the media files the action names after the script, beside a namesake too', async () => {
    const named = [
      { ...result, video_file: 'videos/intro.mp4', thumbnail_file: 'videos/intro.jpg' },
      {
        ...result,
        file: 'videos/a:b.md',
        video_file: 'videos/a%3Ab.md.mp4',
        thumbnail_file: 'videos/a%3Ab.md.png'
      }
    ]
    await writeShardReport(dir, { ...report, results: named }, scrub)

    expect((await readShardReport(dir, { index: 2, count: 4 })).results).toHaveLength(2)
  })
})
