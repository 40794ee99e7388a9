// Splits a library of scripts across the jobs of a GitHub Actions matrix. Each script goes to the
// shard a hash of its path names, unless that shard already holds its share: then to the next one.
// So a script stays on its shard from run to run (only the few that overflow a shard move), the
// shards are balanced within a few percent even on a library of a couple of hundred scripts
// (where a hash alone strays by 10 to 20 %), and every job that splits the same selection,
// the aggregate job included, gets the same split.
import { createHash } from 'node:crypto'

/** This job's part of the matrix: shard `index` (1-based) of `count`. */
export interface Shard {
  index: number
  count: number
}

/**
 * GitHub runs at most 256 jobs from one matrix: more shards than that could never all report.
 */
export const MAX_SHARDS = 256

/** How much more than an equal share a shard may take before a script moves on: 4 %, and one. */
const SLACK = 0.04

/** The most scripts a shard takes of `total` split `count` ways. */
export function shardCapacity(total: number, count: number): number {
  return Math.ceil((total / count) * (1 + SLACK)) + 1
}

/** The 1-based shard the hash of `file` (a path as the selection spells it) names: its home. */
export function homeShard(file: string, count: number): number {
  return (pathHash(file) % count) + 1
}

/**
 * The shard of each of `files`. In the order of their hashes (which no renaming of other files
 * changes), each takes its home shard if that has room, else the next shard with room.
 */
export function assignShards(files: string[], count: number): Map<string, number> {
  const capacity = shardCapacity(files.length, count)
  const loads = new Array<number>(count).fill(0)
  const ordered = [...new Set(files)]
    .map(file => ({ file, hash: pathHash(file) }))
    .sort((a, b) => a.hash - b.hash || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  const assigned = new Map<string, number>()
  for (const { file, hash } of ordered) {
    for (let step = 0; step < count; step++) {
      const index = (hash + step) % count
      if ((loads[index] ?? 0) < capacity) {
        loads[index] = (loads[index] ?? 0) + 1
        assigned.set(file, index + 1)
        break
      }
    }
  }
  return assigned
}

/** The files of `files` that belong to `shard`, in their order. */
export function shardFiles(files: string[], shard: Shard): string[] {
  const assigned = assignShards(files, shard.count)
  return files.filter(file => assigned.get(file) === shard.index)
}

/** 48 bits of sha256: uniform, and far wider than any count, so the modulo is unbiased enough. */
function pathHash(file: string): number {
  return createHash('sha256').update(file, 'utf8').digest().readUIntBE(0, 6)
}

/** `2/4`, as the input is written. */
export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`
}

/** The artifact holding a shard's videos and its part of manifest.json: `avatar-videos-2-of-4`. */
export function shardArtifactName(artifactName: string, shard: Shard): string {
  return `${artifactName}-${shard.index}-of-${shard.count}`
}

/**
 * The small artifact holding only a shard's report (shard.json), which the aggregate job reads:
 * `avatar-videos-2-of-4-manifest`. Apart from the media, so that no video is moved twice.
 */
export function reportArtifactName(artifactName: string, shard: Shard): string {
  return `${shardArtifactName(artifactName, shard)}-manifest`
}

/** The shard a report artifact's name belongs to, or null when the name is not one. */
export function shardOfReportName(artifactName: string, name: string): Shard | null {
  if (!name.startsWith(`${artifactName}-`)) return null
  const match = /^([1-9]\d{0,2})-of-([1-9]\d{0,2})-manifest$/.exec(
    name.slice(artifactName.length + 1)
  )
  if (!match) return null
  const shard = { index: Number(match[1]), count: Number(match[2]) }
  return shard.index <= shard.count && shard.count <= MAX_SHARDS ? shard : null
}
