// The "before" of the comment's before/after: each changed script as it was at the pull request's
// base, built into a payload by the same code as the new one, and its video found by that
// payload's hash where reuse looks (the release, the comment's state, the request list). Nothing
// is ever submitted for it: a source that cannot be read only means "no earlier video".
import type { Selection } from '../find/index.js'
import { fileAt } from '../find/git.js'
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { releasedVideos, type ReleaseTarget } from '../publish/release.js'
import type { SavedEntry } from '../publish/state.js'
import type { QueueClient } from '../queue/client.js'
import { MAX_SCRIPT_BYTES } from '../script/index.js'
import type { Parse } from '../script/guard.js'
import {
  SUCCEEDED,
  type Before,
  type Row,
  type ScriptDefaults,
  type VideoRequest
} from '../types.js'
import { info } from '../log.js'
import { earlierFromRequestList } from './sources.js'

/** A script at the base: null when it is new there; no request when unreadable or invalid. */
export type BaseVersion = { request: VideoRequest | null } | null

type Video = NonNullable<Before['video']>

/**
 * The pull request's scripts `files` as they were at its base, by file. Empty for any other
 * event, or when the event's changes were not listed (every matching file is selected).
 */
export async function readBaseVersions(
  event: EventInfo,
  selection: Selection,
  files: string[],
  workspace: string,
  defaults: ScriptDefaults,
  parse: Parse
): Promise<Map<string, BaseVersion>> {
  const base = event.pullRequest?.baseSha
  const earlier = selection.earlierPaths
  if (!base || !earlier) return new Map()
  const versions = await Promise.all(
    files.map(async file => {
      const path = earlier.get(file) ?? null
      const version = path === null ? null : await readBase(workspace, base, path, defaults, parse)
      return [file, version] as const
    })
  )
  return new Map(versions)
}

async function readBase(
  workspace: string,
  base: string,
  file: string,
  defaults: ScriptDefaults,
  parse: Parse
): Promise<BaseVersion> {
  // A shallow checkout lacks the base commit: the script existed, but what it said is unknown.
  const text = await fileAt(workspace, base, file, MAX_SCRIPT_BYTES)
  if (text === null) return { request: null }
  try {
    const outcome = await parse(file, text, defaults)
    return { request: outcome.ok ? outcome.request : null }
  } catch {
    return { request: null }
  }
}

export interface EarlierSources {
  github: GitHubClient | null
  event: EventInfo
  /** The `release` input: its manifest lists the videos merges published. */
  release: string | null
  /** What this pull request's comment saved. */
  saved: SavedEntry[]
  /** Null on a dry run: the request list is then not read. */
  client: QueueClient | null
  /** Scrubs the key from what the queue or GitHub answered. */
  redact: (text: string) => string
  signal?: AbortSignal
}

/** Writes each row's `before`: its earlier words, and its earlier video when one is found. */
export async function showEarlierVideos(
  rows: Row[],
  bases: Map<string, BaseVersion>,
  sources: EarlierSources
): Promise<void> {
  if (!bases.size) return
  const requests = [...bases.values()].flatMap(base => (base?.request ? [base.request] : []))
  const videos = requests.length ? await findVideos(requests, sources) : new Map<string, Video>()
  for (const row of rows) {
    if (!bases.has(row.file)) continue
    const base = bases.get(row.file)
    const request = base?.request ?? null
    row.before = base
      ? {
          payload: request?.payload ?? null,
          hash: request?.hash ?? null,
          video: (request && videos.get(request.hash)) ?? null
        }
      : null
  }
  info(
    `Before/after: ${requests.length} of ${bases.size} changed scripts read at the pull request's base, ${videos.size} earlier videos found (nothing is paid for them)`
  )
}

/** The earlier videos of `requests`' hashes, by hash: the cheapest and most stable source first. */
async function findVideos(
  requests: VideoRequest[],
  sources: EarlierSources
): Promise<Map<string, Video>> {
  const wanted = new Set(requests.map(request => request.hash))
  const found = new Map<string, Video>()
  const add = (hash: string, video: Video) => {
    if (wanted.has(hash) && !found.has(hash)) found.set(hash, scrubbed(video, sources.redact))
  }
  if (sources.release && sources.github) {
    const { owner, repo, serverUrl } = sources.event
    const target: ReleaseTarget = { owner, repo, serverUrl, tag: sources.release }
    for (const entry of await releasedVideos(sources.github, target)) add(entry.hash, entry)
  }
  for (const entry of sources.saved) {
    if (SUCCEEDED.has(entry.status) && wanted.has(entry.hash) && !found.has(entry.hash))
      add(entry.hash, await refreshed(entry, sources))
  }
  const rest = requests.filter(request => !found.has(request.hash))
  if (rest.length && sources.client) {
    const { client, signal } = sources
    // A list that cannot be read only means no earlier video: said in the log, not warned of.
    const list = { client, requests: rest, signal, log: info, warn: info }
    for (const earlier of await earlierFromRequestList(list))
      if (earlier.state === 'done' && !found.has(earlier.hash))
        add(earlier.hash, await videoOf(client, earlier.requestId, signal))
  }
  return found
}

/**
 * A video a comment saved, with fresh links when the queue still has it: signed links expire, and
 * a saved entry may have none (a full comment keeps only request ids).
 */
async function refreshed(video: Video, sources: EarlierSources): Promise<Video> {
  if (!sources.client || !video.request_id) return video
  const now = await videoOf(sources.client, video.request_id, sources.signal)
  return now.video_url ? now : video
}

/** The video of a finished request, as a status call (never a submission) shows it now. */
async function videoOf(client: QueueClient, id: string, signal?: AbortSignal): Promise<Video> {
  const remote = await client.get(id, signal).catch(() => null)
  const same = remote?.requestId === id
  return {
    request_id: id,
    video_url: same ? remote.videoUrl : null,
    thumbnail_url: same ? remote.thumbnailUrl : null
  }
}

function scrubbed(video: Video, redact: (text: string) => string): Video {
  const scrub = (value: string | null) => (value === null ? null : redact(value))
  return {
    request_id: scrub(video.request_id),
    video_url: scrub(video.video_url),
    thumbnail_url: scrub(video.thumbnail_url)
  }
}
