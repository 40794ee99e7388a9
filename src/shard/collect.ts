// The aggregate job's reading of the shards' reports: every `<artifact-name>-i-of-n-manifest`
// artifact of this workflow run, listed and downloaded through @actions/artifact (a few kilobytes
// each: the videos stay in the shards' own artifacts), then read as untrusted input.
import path from 'node:path'
import { readShardReport, type ShardReport } from './report.js'
import { reportArtifactName, shardOfReportName, shardLabel } from './split.js'
import { distrust, type ReportRules } from './trust.js'

export interface Collected {
  /** How many shards the matrix has, from the reports' names; null when no shard reported. */
  count: number | null
  /** The readable reports, by shard index. */
  reports: Map<number, ShardReport>
  /** Shards whose report artifact exists but could not be read, and why. */
  unreadable: Map<number, string>
}

/** What the aggregate needs of @actions/artifact's client; tests may pass their own. */
export interface ArtifactReader {
  listArtifacts(options: {
    latest: boolean
  }): Promise<{ artifacts: Array<{ id: number; name: string }> }>
  downloadArtifact(id: number, options: { path: string }): Promise<unknown>
}

export interface CollectOptions {
  /** What a report must agree with to be believed (see trust.ts). */
  rules?: ReportRules
  /** Told of each report that is not used, and why. */
  warn?: (message: string) => void
  reader?: ArtifactReader
}

/** Reports downloaded at once: each is small, and the service limits a job's calls. */
const AT_ONCE = 4

/**
 * Reads the reports the shards of this run uploaded, into folders under `dir`. Throws when the
 * artifacts cannot be listed at all, or when they are of matrices of different sizes.
 */
export async function collectReports(
  artifactName: string,
  dir: string,
  log: (message: string) => void,
  options: CollectOptions = {}
): Promise<Collected> {
  const client = options.reader ?? (await defaultReader())
  // The newest of each name: a re-run shard replaces its report, and only that one counts.
  const { artifacts } = await client.listArtifacts({ latest: true })
  const found = artifacts.flatMap(artifact => {
    const shard = shardOfReportName(artifactName, artifact.name)
    return shard ? [{ id: artifact.id, shard }] : []
  })
  const counts = [...new Set(found.map(f => f.shard.count))].sort((a, b) => a - b)
  if (counts.length > 1) {
    const names = counts.map(count => `"${reportArtifactName(artifactName, { index: 1, count })}"`)
    throw new Error(
      `This run holds the reports of matrices of ${counts.join(' and ')} shards (${names.join(', ')}): give each use of the action in a workflow its own artifact-name`
    )
  }
  const collected: Collected = {
    count: counts[0] ?? null,
    reports: new Map(),
    unreadable: new Map()
  }
  const queue = [...found].sort((a, b) => a.shard.index - b.shard.index)
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { id, shard } = next
      const into = path.join(dir, String(shard.index))
      try {
        await client.downloadArtifact(id, { path: into })
        const report = await readShardReport(into, shard)
        const why = options.rules ? distrust(report, options.rules) : null
        if (why) throw new Error(`it is not believed: ${why}`)
        collected.reports.set(shard.index, report)
        log(`Shard ${shardLabel(shard)}: report read`)
      } catch (error) {
        const problem = (error as Error).message
        collected.unreadable.set(shard.index, problem)
        // A warning's text is escaped as command data (`%`, CR, LF) on its way to the log.
        options.warn?.(
          `The report "${reportArtifactName(artifactName, shard)}" was not used: ${problem}. This job reads the scripts of shard ${shardLabel(shard)} itself and shows them as skipped: re-run that job`
        )
      }
    }
  }
  await Promise.all(Array.from({ length: AT_ONCE }, worker))
  return collected
}

async function defaultReader(): Promise<ArtifactReader> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  return new DefaultArtifactClient()
}
