// A large library split across a job matrix: every script on exactly one shard, the same one on
// every run, and the shards about equally loaded.
import { describe, expect, it } from '@jest/globals'
import {
  assignShards,
  homeShard,
  reportArtifactName,
  shardArtifactName,
  shardFiles,
  shardOfReportName
} from '../../src/shard/split.js'

/** 2,000 paths shaped like a localised demo library: products × languages × chapters. */
function library(): string[] {
  const products = ['dashboard', 'billing', 'onboarding', 'reports', 'admin']
  const languages = ['en', 'de', 'fr', 'es', 'it', 'pt-BR', 'ja', 'ko', 'zh-Hans', 'nl']
  const files: string[] = []
  for (const product of products) {
    for (const language of languages) {
      for (let chapter = 1; chapter <= 40; chapter++) {
        const ext = chapter % 5 === 0 ? 'yml' : 'md'
        files.push(`videos/${product}/${language}/${String(chapter).padStart(2, '0')}-step.${ext}`)
      }
    }
  }
  return files.sort()
}

/** The scripts each of `count` shards takes. */
function sizes(files: string[], count: number): number[] {
  return Array.from({ length: count }, (_, i) => shardFiles(files, { index: i + 1, count }).length)
}

/** The share of `files` that are on the shard their path hashes to. */
function atHome(files: string[], count: number): number {
  const assigned = assignShards(files, count)
  return files.filter(file => assigned.get(file) === homeShard(file, count)).length / files.length
}

describe('splitting the selected scripts across shards', () => {
  const files = library()

  it('puts every script on exactly one shard', () => {
    const parts = [1, 2, 3, 4].map(index => shardFiles(files, { index, count: 4 }))
    expect(parts.flat().sort()).toEqual(files)
    expect(new Set(parts.flat()).size).toBe(files.length)
  })

  it.each([2, 3, 4, 8, 16])('loads none of %i shards more than 5 %% over an equal share', count => {
    const mean = files.length / count
    expect(Math.max(...sizes(files, count))).toBeLessThanOrEqual(mean * 1.05)
  })

  it('balances 200 scripts over 4 shards within 10 %, where the hash alone strays 20 %', () => {
    const topics = ['welcome', 'first-steps', 'settings', 'whats-new']
    const fewer = [...new Set(files.map(f => f.split('/').slice(0, 3).join('/')))].flatMap(dir =>
      topics.map((topic, i) => `${dir}/${i + 1}-${topic}.md`)
    )
    expect(fewer).toHaveLength(200)
    const byHash = [1, 2, 3, 4].map(i => fewer.filter(f => homeShard(f, 4) === i).length)
    expect(Math.max(...byHash)).toBeGreaterThanOrEqual(60)
    expect(Math.max(...sizes(fewer, 4))).toBeLessThanOrEqual(53)
  })

  it('keeps a script on the shard its path hashes to, run after run, but for a few', () => {
    expect(atHome(files, 4)).toBe(1)
    expect(atHome(files, 16)).toBeGreaterThan(0.97)
    // A growing library moves none of the scripts it had.
    const before = assignShards(files, 8)
    const grown = assignShards([...files, ...files.map(f => f.replace('videos/', 'videos/v2/'))], 8)
    const moved = files.filter(file => before.get(file) !== grown.get(file))
    expect(moved.length / files.length).toBeLessThan(0.03)
  })

  it('splits the same selection the same way, in whatever order it is listed', () => {
    const reversed = [...files].reverse()
    expect(assignShards(reversed, 4)).toEqual(assignShards(files, 4))
  })

  it('sends the few scripts of a small change to their own shards', () => {
    const change = ['videos/intro.md', 'videos/pricing.md', 'videos/tour.md']
    const assigned = assignShards(change, 4)
    expect(change.map(f => assigned.get(f))).toEqual(change.map(f => homeShard(f, 4)))
  })

  it('gives one job everything when there is one shard', () => {
    expect(shardFiles(files, { index: 1, count: 1 })).toEqual(files)
  })
})

describe('the artifacts a shard uploads', () => {
  it('names its videos and its report after the artifact-name and the shard', () => {
    expect(shardArtifactName('avatar-videos', { index: 2, count: 4 })).toBe('avatar-videos-2-of-4')
    expect(reportArtifactName('avatar-videos', { index: 2, count: 4 })).toBe(
      'avatar-videos-2-of-4-manifest'
    )
  })

  it('tells the aggregate job which shard a report is, and ignores other artifacts', () => {
    expect(shardOfReportName('avatar-videos', 'avatar-videos-2-of-4-manifest')).toEqual({
      index: 2,
      count: 4
    })
    for (const other of [
      'avatar-videos-2-of-4',
      'avatar-videos-manifest',
      'other-2-of-4-manifest',
      'avatar-videos-5-of-4-manifest',
      'avatar-videos-02-of-4-manifest',
      'avatar-videos-extra-2-of-4-manifest'
    ]) {
      expect(shardOfReportName('avatar-videos', other)).toBeNull()
    }
  })
})
