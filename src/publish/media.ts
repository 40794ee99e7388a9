// Downloads each finished video and thumbnail to disk, streaming, without the API key, and
// checks that what arrived is a video and an image. One failed download marks its row only.
import { open, mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import * as tc from '@actions/tool-cache'
import type { Row } from '../types.js'
import { createLimiter } from '../queue/limiter.js'
import { artifactNames } from './layout.js'

export interface Downloaded {
  file: string
  /** Artifact-relative paths of the files written. */
  video: string | null
  thumbnail: string | null
}

const DOWNLOADS_AT_ONCE = 4

/**
 * Downloads the media of every row that has a video into `dir`, at `dir/name.mp4` and
 * `dir/name.jpg` beside where the script sits. Failures are written into the row's `error`.
 */
export async function downloadMedia(rows: Row[], dir: string): Promise<Downloaded[]> {
  const limit = createLimiter(DOWNLOADS_AT_ONCE)
  const withVideo = rows.filter(row => row.video_url)
  const names = artifactNames(withVideo.map(row => row.file))
  return Promise.all(
    withVideo.map(row =>
      limit(async () => {
        const base = names.get(row.file) as string
        const video = await fetchInto(row.video_url as string, dir, `${base}.mp4`, isMp4)
        const thumbnail = row.thumbnail_url
          ? await fetchInto(row.thumbnail_url, dir, `${base}.jpg`, isJpeg)
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

async function fetchInto(
  url: string,
  dir: string,
  relative: string,
  check: (head: Buffer) => boolean
): Promise<{ path: string | null; error: string | null }> {
  const dest = path.join(dir, ...relative.split('/'))
  try {
    await mkdir(path.dirname(dest), { recursive: true })
    // No auth argument: media lives on third-party storage and must never see the API key.
    await tc.downloadTool(url, dest)
    const { size } = await stat(dest)
    if (size === 0) return { path: null, error: 'the download was empty' }
    if (!check(await head(dest)))
      return { path: null, error: 'the download is not of the expected type' }
    return { path: relative, error: null }
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
function isMp4(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp'
}

function isJpeg(head: Buffer): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff
}
