// Splits a library of scripts across the jobs of a GitHub Actions matrix. Each script belongs to
// one shard, chosen from a hash of its path alone: it stays on its shard from run to run, whatever
// else a run selects, and the aggregate job can tell which shard owed it a result.
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

/** The 1-based shard that `file` (a path as the selection spells it) belongs to. */
export function shardOf(file: string, count: number): number {
  // 48 bits of sha256: uniform, and far wider than any count, so the modulo is unbiased enough.
  const digest = createHash('sha256').update(file, 'utf8').digest()
  return (digest.readUIntBE(0, 6) % count) + 1
}

/** The files of `files` that belong to `shard`, in their order. */
export function shardFiles(files: string[], shard: Shard): string[] {
  return files.filter(file => shardOf(file, shard.count) === shard.index)
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
