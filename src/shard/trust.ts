// What the aggregate job checks of a shard's report against this run, beyond its shape (report.ts):
// any job of the workflow run can upload an artifact under a report's name, so a report is believed
// only where it says what a shard of this run, with these inputs, could have said. Its own dry-run
// notice is never shown: the aggregate job decides that itself, as every shard did.
import { downloadUrl } from '../publish/release.js'
import type { ShardReport } from './report.js'
import { shardArtifactName } from './split.js'

/** What a report must agree with: this job's inputs and event. */
export interface ReportRules {
  /** The `artifact-name` input: a shard's videos are in `<artifact-name>-i-of-n`. */
  artifactName: string
  /** Whether this job found the run to be a dry run. */
  dryRun: boolean
  /**
   * Where this run's `release` keeps its assets (`https://github.com/OWNER/REPO/releases/download/
   * TAG/`), or null when no release is written.
   */
  releaseDownloads: string | null
}

/** The `releaseDownloads` of a run that writes the release `tag` of `repo` on `serverUrl`. */
export function releaseDownloads(target: {
  serverUrl: string
  owner: string
  repo: string
  tag: string | null
}): string | null {
  const { tag } = target
  return tag ? downloadUrl({ ...target, tag }, '') : null
}

/** Why `report` is not one a shard of this run wrote, or null when nothing says so. */
export function distrust(report: ShardReport, rules: ReportRules): string | null {
  const expected = shardArtifactName(rules.artifactName, report.shard)
  if (report.artifact && report.artifact.name !== expected) {
    return `its videos' artifact is not named "${expected}"`
  }
  if (report.dryRun !== rules.dryRun) {
    return `it says the run ${report.dryRun ? 'was' : 'was not'} a dry run, and this job decided otherwise (give every job the same inputs)`
  }
  const releaseLinks = [
    ...report.results.map(result => ({ file: result.file, url: result.release_url })),
    ...report.released.flatMap(video => [
      { file: video.file, url: video.video_url },
      { file: video.file, url: video.thumbnail_url }
    ])
  ]
  const foreign = releaseLinks.find(link => link.url !== null && !isReleaseAsset(link.url, rules))
  if (foreign) return `its release link for ${foreign.file} is not an asset of this run's release`
  return null
}

/** Whether `url` is an asset's stable link in the release this run writes: https on its host. */
function isReleaseAsset(url: string, rules: ReportRules): boolean {
  const base = rules.releaseDownloads
  if (!base?.startsWith('https://') || !url.startsWith(base)) return false
  const name = url.slice(base.length)
  return /^[A-Za-z0-9._~%-]+$/.test(name) && !/^\.+$/.test(name)
}
