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
})
