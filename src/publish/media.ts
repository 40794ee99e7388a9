// Downloads each finished video and its thumbnail to disk the moment its request succeeds, while
// other videos still render: signed media links expire, and a batch can outlast them. Streams to
// disk without the API key, asks the queue for fresh links when a link has expired, and checks
// that what arrived is a video and an image. One failed download marks its row only, and keeps
// its request id and links: the video was paid for.
import { open, mkdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Row } from '../types.js'
import { createLimiter } from '../queue/limiter.js'
import { sleep as defaultSleep, type Sleep } from '../queue/http.js'
import { trustedUrl } from '../url.js'
import { DownloadError, downloadFile, type DownloadLimits } from './download.js'

/** Fresh media links of a request, read again from the queue. */
export interface FreshLinks {
  videoUrl: string | null
  thumbnailUrl: string | null
  /** Every media URL, the video's first, when the answer lists them. */
  mediaUrls?: string[]
}

export interface MediaOptions {
  /** Where the files go: the run's `directory`. */
  dir: string
  /** Artifact-relative path without extension of each script's media (see names.ts). */
  bases: Map<string, string>
  /** Reads the request again for fresh links; null when it cannot. */
  refresh: (requestId: string) => Promise<FreshLinks | null>
  /** Scrubs what the queue said before it reaches a row (the key). */
  scrub?: (text: string) => string
  /** The largest file kept, in bytes: `max-download-size`. */
  maxBytes: number
  /** The run's `timeout` in seconds, counted from now: no download outlasts it. */
  timeout: number
  /** Aborted when the run is cancelled: every download stops, and its part is removed. */
  signal?: AbortSignal
  /** Milliseconds in which a download must receive STALL_BYTES (default: stallWindowMs()). */
  stallMs?: number
  sleep?: Sleep
}

export interface MediaStore {
  readonly dir: string
  /**
   * Starts downloading `row`'s video and thumbnail now, at most a few at a time. The row gets
   * `video_file` and `thumbnail_file`, its links replaced by fresh ones when they were renewed,
   * and a note in `error` when a file could not be kept.
   */
  fetch(row: Row): void
  /** Resolves when every download started so far has ended, each well or not. */
  settled(): Promise<void>
}

const DOWNLOADS_AT_ONCE = 4
/** Reads of fresh links per file, after the first download failed on an expired link. */
const REFRESHES = 2
/** Waits before each refresh: the queue may need a moment to sign the new link. */
const REFRESH_WAITS_MS = [1000, 3000]

/** HTTP statuses storage answers for an expired or revoked signed link. */
const EXPIRED = new Set([403, 404, 410])

/** A download that brings less than STALL_BYTES in this long has stalled. */
const STALL_SECONDS = 60

/**
 * The stall window in milliseconds: STALL_SECONDS, or AVATAR_DOWNLOAD_STALL_SECONDS when set,
 * for the end-to-end tests, which cannot wait a minute for each stalled host.
 */
export function stallWindowMs(env = process.env): number {
  const seconds = Number(env.AVATAR_DOWNLOAD_STALL_SECONDS)
  return (seconds > 0 && seconds <= STALL_SECONDS ? seconds : STALL_SECONDS) * 1000
}

export function createMediaStore(options: MediaOptions): MediaStore {
  const limit = createLimiter(DOWNLOADS_AT_ONCE)
  const running: Promise<void>[] = []
  const scrub = options.scrub ?? (text => text)
  const wait = options.sleep ?? defaultSleep
  // Downloads count against the run's timeout, like the polls: at the deadline, or on
  // cancellation, every download stops at once.
  const stop = new AbortController()
  setTimeout(() => stop.abort('timeout'), options.timeout * 1000).unref()
  options.signal?.addEventListener('abort', () => stop.abort('cancelled'), { once: true })
  if (options.signal?.aborted) stop.abort('cancelled')
  const limits: DownloadLimits = {
    maxBytes: options.maxBytes,
    stallMs: options.stallMs ?? stallWindowMs(),
    signal: stop.signal,
    timeoutSeconds: options.timeout
  }

  const keep = async (row: Row): Promise<void> => {
    const base = options.bases.get(row.file)
    if (!base || !row.video_url) return
    const links = { video: row.video_url, thumbnail: row.thumbnail_url, renewed: 0 }
    let renewing: Promise<boolean> | null = null
    /**
     * Fresh links for the row, up to REFRESHES times; `seen` is how often the links had been
     * renewed when the failed download started: if they were renewed since, they are used as is.
     */
    const renew = (seen: number): Promise<boolean> => {
      if (links.renewed > seen) return Promise.resolve(true)
      renewing ??= (async () => {
        if (!row.request_id || links.renewed >= REFRESHES) return false
        await wait(REFRESH_WAITS_MS[links.renewed] ?? 3000, stop.signal).catch(() => {})
        if (stop.signal.aborted) return false
        const fresh = await options.refresh(row.request_id).catch(() => null)
        links.renewed++
        if (!fresh?.videoUrl) return false
        links.video = fresh.videoUrl
        links.thumbnail = fresh.thumbnailUrl ?? links.thumbnail
        row.video_url = scrub(fresh.videoUrl)
        if (fresh.mediaUrls?.length) row.media_urls = fresh.mediaUrls.map(scrub)
        row.thumbnail_url = fresh.thumbnailUrl ? scrub(fresh.thumbnailUrl) : row.thumbnail_url
        return true
      })().finally(() => (renewing = null))
      return renewing
    }
    const current = (which: 'video' | 'thumbnail') => () => ({
      url: links[which] as string,
      seen: links.renewed
    })
    // Both at once: the thumbnail's link expires as soon as the video's.
    const [video, thumbnail] = await Promise.all([
      download(current('video'), `${base}.mp4`, mp4Type, renew),
      links.thumbnail
        ? download(current('thumbnail'), `${base}.jpg`, imageType, renew)
        : { path: null, error: null }
    ])
    row.video_file = video.path
    row.thumbnail_file = thumbnail.path
    const errors = [
      video.error && `video: ${video.error}`,
      thumbnail.error && `thumbnail: ${thumbnail.error}`
    ].filter(Boolean)
    if (errors.length) {
      const note = `Generated, but not saved to the artifact (${errors.join('; ')})`
      row.error = row.error ? `${row.error}; ${note}` : note
    }
  }

  /**
   * One file, downloaded from `link()` into `dir/relative`. A link that has expired (or a
   * download cut off) is renewed by `renew` and tried again, while it finds fresh links.
   */
  const download = async (
    link: () => { url: string; seen: number },
    relative: string,
    check: TypeOf,
    renew: (seen: number) => Promise<boolean>
  ): Promise<Kept> => {
    const dest = path.join(options.dir, ...relative.split('/'))
    for (;;) {
      const { url, seen } = link()
      const kept = await fetchInto(url, dest, relative, check, limits)
      if (!kept.retry || !(await renew(seen))) return { path: kept.path, error: kept.error }
    }
  }

  return {
    dir: options.dir,
    fetch(row) {
      running.push(limit(() => keep(row)))
    },
    async settled() {
      // Downloads started while waiting are waited for too.
      for (let seen = 0; seen < running.length; seen = running.length) {
        await Promise.all(running.slice(seen))
      }
    }
  }
}

interface Kept {
  /** Artifact-relative path of the file written, or null. */
  path: string | null
  error: string | null
}

/**
 * The extension a file's first bytes show it has, or null when it is not of a type expected. A
 * file of another expected type than its name says is renamed to its own extension.
 */
type TypeOf = (head: Buffer) => string | null

async function fetchInto(
  url: string,
  dest: string,
  relative: string,
  typeOf: TypeOf,
  limits: DownloadLimits
): Promise<Kept & { retry: boolean }> {
  // The same rule as for links in the comment: a URL from the queue must not reach into the
  // runner's network (a metadata service, a plain-http host).
  if (!trustedUrl(url)) {
    return {
      path: null,
      error: 'not downloaded: the URL is not https (nor http on this machine)',
      retry: false
    }
  }
  try {
    await mkdir(path.dirname(dest), { recursive: true })
    const size = await downloadFile(url, dest, limits)
    if (size === 0) {
      await rm(dest, { force: true })
      return { path: null, error: 'the download was empty', retry: true }
    }
    const type = typeOf(await head(dest))
    if (!type) {
      // Not left in `directory` either: it is not what the queue said it made.
      await rm(dest, { force: true })
      return { path: null, error: 'the download is not of the expected type', retry: false }
    }
    const named = `${relative.slice(0, relative.length - path.posix.extname(relative).length)}.${type}`
    if (named !== relative)
      await rename(dest, path.join(path.dirname(dest), path.posix.basename(named)))
    return { path: named, error: null, retry: false }
  } catch (error) {
    // The disk failed us (full, or not writable): the link is not the trouble.
    if (!(error instanceof DownloadError)) {
      return { path: null, error: (error as Error).message, retry: false }
    }
    const status = error.status
    if (status && EXPIRED.has(status)) {
      return { path: null, error: `HTTP ${status}: the media link has expired`, retry: true }
    }
    // A refused redirect, an oversized file, the deadline: final. A stall or a cut-off may be
    // the link's trouble, and a fresh one may do.
    return { path: null, error: error.message, retry: error.retry }
  }
}

async function head(file: string): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(12)
    const { bytesRead } = await handle.read(buffer, 0, 12, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** ISO base media files start with a box whose type is `ftyp`. */
function mp4Type(head: Buffer): string | null {
  return head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp' ? 'mp4' : null
}

/**
 * Thumbnails have been seen as JPEG, but their type is not documented (request-queue.md,
 * "Evidence from live clients": thumbnail): JPEG, PNG and WebP are kept, known by their first
 * bytes, with their own extension.
 */
function imageType(head: Buffer): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg'
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png'
  const riff = head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF'
  return riff && head.toString('latin1', 8, 12) === 'WEBP' ? 'webp' : null
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
