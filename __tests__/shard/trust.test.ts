// A report is believed only where it says what a shard of this run, with these inputs, could say.
import { describe, expect, it } from '@jest/globals'
import type { ShardReport } from '../../src/shard/report.js'
import { distrust, releaseDownloads, type ReportRules } from '../../src/shard/trust.js'

const downloads = releaseDownloads({
  serverUrl: 'https://github.com',
  owner: 'Codertocat',
  repo: 'Hello-World',
  tag: 'avatar videos'
})
const rules: ReportRules = {
  artifactName: 'avatar-videos',
  dryRun: false,
  releaseDownloads: downloads
}
const report: ShardReport = {
  shard: { index: 2, count: 4 },
  files: ['videos/intro.md'],
  dryRun: false,
  notice: null,
  artifact: { id: 1002, name: 'avatar-videos-2-of-4' },
  fatal: null,
  unreleased: null,
  released: [],
  results: []
}
const released = (url: string) => ({
  file: 'videos/intro.md',
  hash: 'a'.repeat(64),
  request_id: 'req-1',
  duration: 3,
  video: 'videos-intro-1a2b3c4d.mp4',
  thumbnail: null,
  video_url: url,
  thumbnail_url: null
})

describe('a report of this run', () => {
  it('is believed when it agrees with this job', () => {
    expect(downloads).toBe(
      'https://github.com/Codertocat/Hello-World/releases/download/avatar%20videos/'
    )
    const good = { ...report, released: [released(`${downloads}videos-intro-1a2b3c4d.mp4`)] }
    expect(distrust(good, rules)).toBeNull()
  })

  it.each([
    [
      'names another artifact for its videos',
      { artifact: { id: 1, name: 'other' } },
      /not named "avatar-videos-2-of-4"/
    ],
    ['says the run was a dry run when this job decided it was not', { dryRun: true }, /dry run/],
    [
      'links a release asset of another repository',
      {
        released: [released('https://github.com/evil/repo/releases/download/avatar%20videos/x.mp4')]
      },
      /not an asset of this run's release/
    ],
    [
      'links a javascript: URL as its release link',
      { released: [released('javascript:alert(1)')] },
      /not an asset/
    ],
    [
      'links past the release folder',
      { released: [released(`${downloads}../../x`)] },
      /not an asset/
    ]
  ])('is not believed when it %s', (_, change, why) => {
    expect(distrust({ ...report, ...change } as ShardReport, rules)).toMatch(why)
  })

  it('holds no release link when this run writes no release', () => {
    const url = `${downloads}videos-intro-1a2b3c4d.mp4`
    expect(
      distrust({ ...report, released: [released(url)] }, { ...rules, releaseDownloads: null })
    ).toMatch(/not an asset/)
  })
})
