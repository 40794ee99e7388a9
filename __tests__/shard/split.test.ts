// A large library split across a job matrix: every script on exactly one shard, the same one on
// every run, and the shards about equally loaded.
import { describe, expect, it } from '@jest/globals'
import {
  reportArtifactName,
  shardArtifactName,
  shardFiles,
  shardOf,
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

describe('splitting the selected scripts across shards', () => {
  const files = library()

  it('puts every script on exactly one shard', () => {
    const parts = [1, 2, 3, 4].map(index => shardFiles(files, { index, count: 4 }))
    expect(parts.flat().sort()).toEqual(files)
    expect(new Set(parts.flat()).size).toBe(files.length)
  })

  it('keeps a script on its shard whatever else a run selects', () => {
    const all = shardFiles(files, { index: 3, count: 4 })
    const fewer = files.filter((_, i) => i % 7 === 0)
    expect(shardFiles(fewer, { index: 3, count: 4 })).toEqual(all.filter(f => fewer.includes(f)))
    expect(shardOf('videos/intro.md', 4)).toBe(shardOf('videos/intro.md', 4))
  })

  /** How far the fullest or emptiest shard strays from an equal share. */
  function worstImbalance(count: number): number {
    const sizes = Array.from(
      { length: count },
      (_, i) => shardFiles(files, { index: i + 1, count }).length
    )
    const mean = files.length / count
    return Math.max(...sizes.map(size => Math.abs(size - mean) / mean))
  }

  it.each([2, 3, 4])('balances %i shards within 5 %% on 2,000 scripts', count => {
    expect(worstImbalance(count)).toBeLessThan(0.05)
  })

  it.each([8, 16])('balances %i shards as evenly as chance allows', count => {
    // A fair die: each shard's share strays by about σ; three σ would mean a biased hash.
    const sigma = Math.sqrt((files.length / count) * (1 - 1 / count)) / (files.length / count)
    expect(worstImbalance(count)).toBeLessThan(3 * sigma)
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
