// A stable home for the videos a merge regenerates: the assets of one GitHub release, at
// `https://github.com/OWNER/REPO/releases/download/TAG/NAME`, an address a team can put in its docs.
// Each script's assets keep their name from run to run; a `manifest.json` asset beside them says
// which script and which payload hash each holds, so an unchanged video is never uploaded again.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { explainGitHubError } from '../github/client.js'
import type { Row } from '../types.js'
import { SUCCEEDED } from '../types.js'
import { releaseAssetNames } from './names.js'
import type { ReleaseDecision } from './release-gate.js'
import { info, log, logText, startGroup } from '../log.js'
import type { RenderContext } from './render.js'

/** GitHub refuses the 1001st asset of a release. */
export const MAX_ASSETS = 1000
export const MANIFEST_ASSET = 'manifest.json'
/** Sends of one asset, the first included: an upload cut off is deleted and sent again. */
const UPLOAD_ATTEMPTS = 3
/**
 * The line the action writes into the body of a release it creates, and looks for before writing
 * into one: only people with write access can edit a release, so it says the release is the
 * action's (or that a maintainer gave it one of theirs, by adding the line).
 */
export const RELEASE_MARKER = '<!-- avatar-video-action: videos -->'
/** The whole body of the releases versions up to 0.1.0 created, before the marker. */
const EARLIER_BODY =
  'Avatar videos, published by avatar-video-action on every merge. The manifest.json asset lists which script each video belongs to.'

export interface ReleaseTarget {
  owner: string
  repo: string
  /** e.g. https://github.com, for the stable download URLs. */
  serverUrl: string
  tag: string
}

/** One script's entry in the release's manifest.json. */
export interface ReleasedVideo {
  file: string
  hash: string
  request_id: string | null
  duration: number | null
  video: string
  thumbnail: string | null
  video_url: string
  thumbnail_url: string | null
}

export interface Released {
  /** The release's page. */
  url: string
  /** Stable download URL of each released script's video, by file. */
  videos: Map<string, string>
  /** Videos uploaded this run (the others were in the release already). */
  uploaded: number
  /** The manifest.json entries of the rows' videos in the release. */
  entries: ReleasedVideo[]
  /** What went wrong with some assets; the rest were published. */
  problems: string[]
}

export function downloadUrl(target: ReleaseTarget, name: string): string {
  const { serverUrl, owner, repo, tag } = target
  return `${serverUrl.replace(/\/+$/, '')}/${owner}/${repo}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(name)}`
}

interface Asset {
  id: number
  name: string
  state?: string
}

/**
 * Publishes every succeeded row's downloaded video and thumbnail (files under `dir`) to the
 * release `target.tag`, created when missing and never made the repository's latest. A failure
 * of one asset is a problem of that asset; a release that cannot be read or created at all
 * throws, naming the permission it needs. With `writeManifest: false` (a shard of a matrix) the
 * release's manifest.json is left for the aggregate job to update once, from `entries`.
 */
export async function publishRelease(
  github: GitHubClient,
  target: ReleaseTarget,
  rows: Row[],
  dir: string,
  log: (message: string) => void,
  { writeManifest = true }: { writeManifest?: boolean } = {}
): Promise<Released> {
  const release = await findOrCreate(github, target)
  const assets = await listAssets(github, target, release.id)
  const earlier = await readManifest(github, target, assets)
  const manifest = new Map(earlier.map(entry => [entry.file, entry]))
  const problems: string[] = []
  let uploaded = 0

  const publishable = rows.filter(
    (row): row is Row & { hash: string; video_file: string } =>
      SUCCEEDED.has(row.status) && !!row.video_file && !!row.hash
  )
  const named = releaseAssetNames(
    publishable.map(row => ({
      file: row.file,
      thumbnailExtension: path.posix.extname(row.thumbnail_file ?? '.jpg')
    })),
    earlier
  )
  for (const row of publishable) {
    const names = named.get(row.file)!
    if ('clash' in names) {
      problems.push(`${row.file}: not published, ${names.clash}`)
      continue
    }
    const known = manifest.get(row.file)
    const present = (name: string | null) => !name || assets.has(name)
    if (known?.hash === row.hash && present(known.video) && present(known.thumbnail)) {
      log(`${row.file}: unchanged in release ${target.tag}, not uploaded again`)
      continue
    }
    const wanted = [names.video, ...(row.thumbnail_file ? [names.thumbnail] : [])]
    const fresh = wanted.filter(name => !assets.has(name)).length
    if (assets.size + fresh > MAX_ASSETS - 1) {
      problems.push(
        `${row.file}: not published, the release ${target.tag} already holds ${assets.size} of the ${MAX_ASSETS} assets GitHub allows`
      )
      continue
    }
    try {
      await replaceAsset(github, target, release, assets, names.video, row.video_file, dir)
      const thumbnail = row.thumbnail_file
        ? await replaceAsset(
            github,
            target,
            release,
            assets,
            names.thumbnail,
            row.thumbnail_file,
            dir
          )
        : null
      uploaded++
      manifest.set(row.file, {
        file: row.file,
        hash: row.hash,
        request_id: row.request_id,
        duration: row.duration,
        video: names.video,
        thumbnail,
        video_url: downloadUrl(target, names.video),
        thumbnail_url: thumbnail ? downloadUrl(target, thumbnail) : null
      })
    } catch (error) {
      problems.push(`${row.file}: ${(error as Error).message}`)
    }
  }

  if (writeManifest) {
    const problem = await saveManifest(github, target, release, assets, manifest)
    if (problem) problems.push(problem)
  }
  const entries = publishable.flatMap(row => {
    const entry = manifest.get(row.file)
    return entry?.hash === row.hash ? [entry] : []
  })
  const videos = new Map(entries.map(entry => [entry.file, entry.video_url]))
  return { url: release.html_url, videos, uploaded, problems, entries }
}

/**
 * Writes `entries` into the release's manifest.json, beside what it lists already: the aggregate
 * job of a matrix does this once for all its shards, which published the videos themselves.
 * Each shard kept off the names the manifest gave other scripts, but not those another shard
 * took at the same time: an entry whose name another script holds is left out, naming both.
 * Returns the release's page and what went wrong, or throws when the release cannot be read.
 */
export async function updateReleaseManifest(
  github: GitHubClient,
  target: ReleaseTarget,
  entries: ReleasedVideo[]
): Promise<{ url: string; problems: string[] }> {
  const release = await findOrCreate(github, target)
  const assets = await listAssets(github, target, release.id)
  const earlier = await readManifest(github, target, assets)
  const manifest = new Map(earlier.map(entry => [entry.file, entry]))
  const owners = new Map<string, string>()
  const claim = (entry: ReleasedVideo) => {
    for (const name of [entry.video, entry.thumbnail]) {
      if (name && !owners.has(name)) owners.set(name, entry.file)
    }
  }
  earlier.forEach(claim)
  const problems: string[] = []
  for (const entry of entries) {
    const taken = [entry.video, entry.thumbnail].find(
      name => name && owners.has(name) && owners.get(name) !== entry.file
    )
    if (taken) {
      problems.push(
        `${entry.file}: not listed in ${MANIFEST_ASSET}, its asset name ${taken} is that of ${owners.get(taken)}, and one of the two videos replaced the other: rename one of the two scripts`
      )
      continue
    }
    claim(entry)
    manifest.set(entry.file, entry)
  }
  const problem = await saveManifest(github, target, release, assets, manifest)
  return { url: release.html_url, problems: problem ? [...problems, problem] : problems }
}

/** Replaces the manifest.json asset; returns what went wrong, or null. */
async function saveManifest(
  github: GitHubClient,
  target: ReleaseTarget,
  release: { id: number; upload_url: string },
  assets: Map<string, Asset>,
  manifest: Map<string, ReleasedVideo>
): Promise<string | null> {
  const entries = [...manifest.values()].sort((a, b) => a.file.localeCompare(b.file))
  try {
    const body = Buffer.from(`${JSON.stringify(entries, null, 2)}\n`)
    await replaceAsset(github, target, release, assets, MANIFEST_ASSET, body, '')
    return null
  } catch (error) {
    return `${MANIFEST_ASSET}: ${(error as Error).message}`
  }
}

/**
 * The release of `target.tag`, created when missing. One the action did not create (no marker in
 * its body) is refused before anything is written into it: it may be a release of the software,
 * whose assets and manifest.json are not the action's to replace.
 */
async function findOrCreate(
  github: GitHubClient,
  target: ReleaseTarget
): Promise<{ id: number; html_url: string; upload_url: string }> {
  const { owner, repo, tag } = target
  try {
    const { data } = await github.rest.repos.getReleaseByTag({ owner, repo, tag })
    return own(data, tag)
  } catch (error) {
    if ((error as { status?: number }).status !== 404) {
      throw new Error(explainGitHubError(error, `Reading the release ${tag}`, 'contents: write'))
    }
  }
  const create = () =>
    github.rest.repos.createRelease({
      owner,
      repo,
      tag_name: tag,
      name: tag,
      body: `${EARLIER_BODY}\n\n${RELEASE_MARKER}`,
      // A home for videos, not a release of the software: never the repository's latest.
      make_latest: 'false'
    })
  let answer: unknown
  try {
    return (await create()).data
  } catch (error) {
    answer = error
  }
  // The shards of a matrix may all find no release and create it at once: all but one are
  // told that the tag has one already, and read that one.
  if (isTagTaken(answer)) {
    const again = await github.rest.repos.getReleaseByTag({ owner, repo, tag }).catch(() => null)
    if (again) return own(again.data, tag)
  }
  throw new Error(explainGitHubError(answer, `Creating the release ${tag}`, 'contents: write'))
}

/** `release`, if the action may write into it: it created it, or a maintainer marked it so. */
function own<T extends { body?: string | null }>(release: T, tag: string): T {
  const body = release.body ?? ''
  const marked =
    body.split('\n').some(line => line.trim() === RELEASE_MARKER) || body.trim() === EARLIER_BODY
  if (marked) return release
  throw new Error(
    `The release ${tag} was not created by this action, which writes only into its own releases: nothing was uploaded to it. Set release to a tag that has no release yet (the action creates it), or, to publish into this one, add the line ${RELEASE_MARKER} to its description`
  )
}

/** GitHub's 422 for a release whose tag has one already. */
function isTagTaken(error: unknown): boolean {
  const { status, response } = error as {
    status?: number
    response?: { data?: { errors?: Array<{ code?: string; field?: string }> } }
  }
  return (
    status === 422 &&
    !!response?.data?.errors?.some(e => e.code === 'already_exists' && e.field === 'tag_name')
  )
}

async function listAssets(
  github: GitHubClient,
  target: ReleaseTarget,
  releaseId: number
): Promise<Map<string, Asset>> {
  const listed = await github.paginate(github.rest.repos.listReleaseAssets, {
    owner: target.owner,
    repo: target.repo,
    release_id: releaseId,
    per_page: 100
  })
  return new Map(listed.map(asset => [asset.name, asset]))
}

/**
 * The videos the release `target.tag` lists in its manifest.json, read only: never created, and
 * [] when there is no such release, it is not the action's, or it cannot be read.
 */
export async function releasedVideos(
  github: GitHubClient,
  target: ReleaseTarget
): Promise<ReleasedVideo[]> {
  try {
    const { owner, repo, tag } = target
    const { data } = await github.rest.repos.getReleaseByTag({ owner, repo, tag })
    return await readManifest(github, target, await listAssets(github, target, own(data, tag).id))
  } catch {
    return []
  }
}

/** The release's manifest.json, or [] when it has none or it cannot be read. */
async function readManifest(
  github: GitHubClient,
  target: ReleaseTarget,
  assets: Map<string, Asset>
): Promise<ReleasedVideo[]> {
  const asset = assets.get(MANIFEST_ASSET)
  if (!asset) return []
  try {
    const { data } = await github.rest.repos.getReleaseAsset({
      owner: target.owner,
      repo: target.repo,
      asset_id: asset.id,
      headers: { accept: 'application/octet-stream' }
    })
    const text = Buffer.from(data as unknown as ArrayBuffer).toString('utf8')
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) ? parsed.filter(isEntry) : []
  } catch {
    // Without it, every video is uploaded again: slower, never wrong.
    return []
  }
}

function isEntry(value: unknown): value is ReleasedVideo {
  const entry = value as Partial<ReleasedVideo> | null
  return (
    typeof entry?.file === 'string' &&
    typeof entry.hash === 'string' &&
    typeof entry.video === 'string' &&
    (entry.thumbnail === null || typeof entry.thumbnail === 'string')
  )
}

/**
 * Uploads `source` (a file under `dir`, or bytes) as asset `name`, after deleting the asset of
 * that name: GitHub refuses a second one, and an upload cut off can leave one behind.
 */
async function replaceAsset(
  github: GitHubClient,
  target: ReleaseTarget,
  release: { id: number; upload_url: string },
  assets: Map<string, Asset>,
  name: string,
  source: string | Buffer,
  dir: string
): Promise<string> {
  const file = typeof source === 'string' ? path.join(dir, ...source.split('/')) : null
  const size = file ? (await stat(file)).size : (source as Buffer).length
  let lastError: unknown
  for (let attempt = 1; attempt <= UPLOAD_ATTEMPTS; attempt++) {
    const existing =
      assets.get(name) ??
      (attempt > 1 ? await findAsset(github, target, release.id, name) : undefined)
    if (existing) {
      await github.rest.repos.deleteReleaseAsset({
        owner: target.owner,
        repo: target.repo,
        asset_id: existing.id
      })
      assets.delete(name)
    }
    try {
      const { data } = await github.rest.repos.uploadReleaseAsset({
        owner: target.owner,
        repo: target.repo,
        release_id: release.id,
        url: release.upload_url,
        name,
        // A stream is read once: a failed send is retried here, with a new one.
        data: (file ? createReadStream(file) : source) as unknown as string,
        headers: { 'content-type': contentType(name), 'content-length': size },
        request: { retries: 0 }
      })
      assets.set(data.name, data)
      return data.name
    } catch (error) {
      lastError = error
      const status = (error as { status?: number }).status
      // A refusal that a second send cannot change.
      if (status === 401 || status === 403 || status === 404) break
    }
  }
  throw new Error(explainGitHubError(lastError, `Uploading ${name}`, 'contents: write'))
}

async function findAsset(
  github: GitHubClient,
  target: ReleaseTarget,
  releaseId: number,
  name: string
): Promise<Asset | undefined> {
  return (await listAssets(github, target, releaseId)).get(name)
}

function contentType(name: string): string {
  if (name.endsWith('.mp4')) return 'video/mp4'
  if (name.endsWith('.jpg')) return 'image/jpeg'
  if (name.endsWith('.png')) return 'image/png'
  if (name.endsWith('.webp')) return 'image/webp'
  return 'application/json'
}

// The job's part: what a run publishes to the release, and what the log and the step say of it.

/**
 * Publishes the succeeded videos to the release `tag` and writes each one's stable URL into its
 * row. Returns what went wrong, for the step to fail on, or null, and the videos' entries.
 */
export async function publishToRelease(
  tag: string,
  decision: ReleaseDecision,
  event: EventInfo,
  github: GitHubClient | null,
  rows: Row[],
  directory: string | null,
  writeManifest: boolean
): Promise<{ problem: string | null; entries: ReleasedVideo[] }> {
  const none = (problem: string | null) => ({ problem, entries: [] })
  if (!decision.publish) {
    if (decision.notice) log.notice(decision.why)
    else info(logText(decision.why))
    return none(null)
  }
  if (!directory) return none(null)
  if (!github)
    return none('release is set, but github-token is empty: the release cannot be written')
  const target = { owner: event.owner, repo: event.repo, serverUrl: event.serverUrl, tag }
  const endGroup = startGroup(`Publishing videos to the release ${logText(tag)}`)
  try {
    const released = await publishRelease(github, target, rows, directory, info, { writeManifest })
    for (const row of rows) row.release_url = released.videos.get(row.file) ?? null
    info(
      `Release ${released.url}: ${released.uploaded} videos uploaded, ${released.videos.size} in all`
    )
    for (const problem of released.problems) log.warning(`Release ${tag}: ${problem}`)
    return {
      problem: released.problems.length
        ? `${released.problems.length} videos or files could not be published to the release ${tag}`
        : null,
      entries: released.entries
    }
  } catch (error) {
    return none((error as Error).message)
  } finally {
    endGroup()
  }
}

/**
 * The aggregate job's part of the release: the shards published the videos, and their entries go
 * into the release's manifest.json here, once. Returns what went wrong, or null.
 */
export async function updateRelease(
  tag: string,
  decision: ReleaseDecision,
  event: EventInfo,
  github: GitHubClient | null,
  entries: ReleasedVideo[]
): Promise<string | null> {
  if (!decision.publish || !entries.length) return null
  if (!github) return 'release is set, but github-token is empty: the release cannot be written'
  const target = { owner: event.owner, repo: event.repo, serverUrl: event.serverUrl, tag }
  try {
    const updated = await updateReleaseManifest(github, target, entries)
    info(`Release ${updated.url}: manifest.json lists the ${entries.length} videos of the shards`)
    for (const problem of updated.problems) log.warning(`Release ${tag}: ${problem}`)
    return updated.problems.length
      ? `The manifest.json of the release ${tag} could not be written in full`
      : null
  } catch (error) {
    return (error as Error).message
  }
}

/** The release as the comment shows it: its tag, and the scripts' videos in it (null: none). */
export function releaseOf(tag: string, event: EventInfo, rows: Row[]): RenderContext['release'] {
  const videos = rows.flatMap(row =>
    row.release_url ? [{ file: row.file, url: row.release_url }] : []
  )
  if (!videos.length) return null
  const url = `${event.serverUrl}/${event.owner}/${event.repo}/releases/tag/${encodeURIComponent(tag)}`
  return { tag, url, videos }
}
