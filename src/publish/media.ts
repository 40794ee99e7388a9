// Downloads each finished video and thumbnail to disk, streaming, without the API key, and
// checks that what arrived is a video and an image. One failed download marks its row only.
import { open, mkdir, rename, stat } from 'node:fs/promises'
import path from 'node:path'
import * as tc from '@actions/tool-cache'
import type { Row } from '../types.js'
import { createLimiter } from '../queue/limiter.js'
import { trustedUrl } from '../url.js'

export interface Downloaded {
  file: string
  /** Artifact-relative paths of the files written. */
  video: string | null
  thumbnail: string | null
}

const DOWNLOADS_AT_ONCE = 4

/**
 * Downloads the media of every row that has a video into `dir`, at `dir/name.mp4` and
 * `dir/name.jpg` (or `.png`, `.webp`: the thumbnail's own type) beside where the script sits.
 * Failures are written into the row's `error`.
 */
export async function downloadMedia(rows: Row[], dir: string): Promise<Downloaded[]> {
  const limit = createLimiter(DOWNLOADS_AT_ONCE)
  const withVideo = rows.filter(row => row.video_url)
  const names = artifactNames(withVideo.map(row => row.file))
  return Promise.all(
    withVideo.map(row =>
      limit(async () => {
        const base = names.get(row.file) as string
        const video = await fetchInto(row.video_url as string, dir, `${base}.mp4`, mp4Type)
        const thumbnail = row.thumbnail_url
          ? await fetchInto(row.thumbnail_url, dir, `${base}.jpg`, imageType)
          : { path: null, error: null }
        const errors = [
          video.error && `video: ${video.error}`,
          thumbnail.error && `thumbnail: ${thumbnail.error}`
        ].filter(Boolean)
        if (errors.length) {
          const note = `Generated, but not saved to the artifact (${errors.join('; ')})`
          row.error = row.error ? `${row.error}; ${note}` : note
        }
        return { file: row.file, video: video.path, thumbnail: thumbnail.path }
      })
    )
  )
}

/** `videos/intro.md` → `videos/intro`; a second script with the same stem keeps its extension. */
function artifactNames(files: string[]): Map<string, string> {
  const names = new Map<string, string>()
  const taken = new Set<string>()
  for (const file of [...files].sort()) {
    const stem = file.slice(0, file.length - path.posix.extname(file).length)
    const name = taken.has(stem) ? file : stem
    taken.add(name)
    names.set(file, name)
  }
  return names
}

/**
 * Downloads `url` to `relative` under `dir`. `typeOf` reads the file's first bytes and gives its
 * extension, or null when it is not of a type expected; a file of another expected type than
 * `relative` says is renamed to its own extension.
 */
async function fetchInto(
  url: string,
  dir: string,
  relative: string,
  typeOf: (head: Buffer) => string | null
): Promise<{ path: string | null; error: string | null }> {
  const dest = path.join(dir, ...relative.split('/'))
  // The same rule as for links in the comment: a URL from the queue must not reach into the
  // runner's network (a metadata service, a plain-http host).
  if (!trustedUrl(url)) {
    return { path: null, error: 'not downloaded: the URL is not https (nor http on this machine)' }
  }
  try {
    await mkdir(path.dirname(dest), { recursive: true })
    // No auth argument: media lives on third-party storage and must never see the API key.
    await tc.downloadTool(url, dest)
    const { size } = await stat(dest)
    if (size === 0) return { path: null, error: 'the download was empty' }
    const type = typeOf(await head(dest))
    if (!type) return { path: null, error: 'the download is not of the expected type' }
    const stem = relative.slice(0, relative.length - path.posix.extname(relative).length)
    const named = `${stem}.${type}`
    if (named !== relative) await rename(dest, path.join(dir, ...named.split('/')))
    return { path: named, error: null }
  } catch (error) {
    const status = (error as tc.HTTPError).httpStatusCode
    const reason =
      status === 403 || status === 404
        ? `HTTP ${status}: the media URL may have expired`
        : status
          ? `HTTP ${status}`
          : (error as Error).message
    return { path: null, error: reason }
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
 * Thumbnails have been seen as JPEG, and their type is not documented (request-queue.md,
 * "Evidence from live clients": thumbnail): JPEG, PNG and WebP are kept, by their magic bytes.
 */
function imageType(head: Buffer): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg'
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png'
  const riff = head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF'
  return riff && head.toString('latin1', 8, 12) === 'WEBP' ? 'webp' : null
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
