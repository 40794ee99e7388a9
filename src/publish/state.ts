// The hidden block the sticky comment carries so a later run can reuse finished videos and resume
// requests still rendering: deflated JSON in base64url on the comment's last line, the one place
// it is written and the only place it is read, and read back as untrusted input.
import { deflateRawSync, inflateRawSync } from 'node:zlib'

/**
 * What a later run needs of one script. A row still rendering is saved with status `pending`
 * and its request id. When the comment has no room for every URL, an entry keeps its request id
 * but has null URLs: the request can be looked up again (and signed URLs expire anyway).
 */
export interface SavedEntry {
  file: string
  hash: string
  request_id: string | null
  status: string
  video_url: string | null
  thumbnail_url: string | null
  duration: number | null
}

type Tuple = [string, string, string | null, string, string | null, string | null, number | null]

const OPEN = '<!-- avatar-video-action-state:v1.'
const CLOSE = ' -->'
const LAST_LINE = /^<!-- avatar-video-action-state:v1\.([A-Za-z0-9_-]*) -->$/

/** Far above what a 65,536-character comment can hold, far below what would hurt to inflate. */
const MAX_JSON_BYTES = 8 * 1024 * 1024

/**
 * The hidden HTML comment holding the entries, to be the comment's last line. Only what
 * `decodeState` accepts is written: an entry with a malformed hash is left out, and a URL that is
 * not http(s) is saved as null.
 */
export function encodeState(entries: SavedEntry[]): string {
  const tuples = entries.map(toTuple).filter(isTuple)
  const data = deflateRawSync(Buffer.from(JSON.stringify(tuples)), { level: 9 })
  return `${OPEN}${data.toString('base64url')}${CLOSE}`
}

/**
 * The entries of the state block on the last line of `body`, the action's own comment. A block
 * anywhere else is not the action's: text from a pull request shown in the comment cannot add
 * one, replace it, or make it unreadable. Anything unexpected (no block, bad encoding, an entry of
 * the wrong shape) gives [], so a damaged or edited comment can only make a run pay again, never
 * make it trust something it did not write. Never throws.
 */
export function decodeState(body: string): SavedEntry[] {
  try {
    const lastLine = String(body).trimEnd().split(/\r?\n/).at(-1) ?? ''
    const block = LAST_LINE.exec(lastLine)
    if (!block) return []
    const json = inflateRawSync(Buffer.from(block[1] ?? '', 'base64url'), {
      maxOutputLength: MAX_JSON_BYTES
    })
    const parsed: unknown = JSON.parse(json.toString('utf8'))
    if (!Array.isArray(parsed) || !parsed.every(isTuple)) return []
    return parsed.map(fromTuple)
  } catch {
    return []
  }
}

function toTuple(entry: SavedEntry): Tuple {
  return [
    entry.file,
    entry.hash,
    entry.request_id,
    entry.status,
    isUrl(entry.video_url) ? entry.video_url : null,
    isUrl(entry.thumbnail_url) ? entry.thumbnail_url : null,
    entry.duration
  ]
}

function fromTuple([
  file,
  hash,
  request_id,
  status,
  video_url,
  thumbnail_url,
  duration
]: Tuple): SavedEntry {
  return { file, hash, request_id, status, video_url, thumbnail_url, duration }
}

function isTuple(value: unknown): value is Tuple {
  if (!Array.isArray(value) || value.length !== 7) return false
  const [file, hash, requestId, status, videoUrl, thumbnailUrl, duration] = value as unknown[]
  return (
    isPath(file) &&
    typeof hash === 'string' &&
    /^[0-9a-f]{64}$/.test(hash) &&
    (requestId === null ||
      (typeof requestId === 'string' && /^[\x21-\x7E]{1,256}$/.test(requestId))) &&
    typeof status === 'string' &&
    /^[a-z_]{1,32}$/.test(status) &&
    (videoUrl === null || isUrl(videoUrl)) &&
    (thumbnailUrl === null || isUrl(thumbnailUrl)) &&
    (duration === null ||
      (typeof duration === 'number' && Number.isFinite(duration) && duration >= 0))
  )
}

function isPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 4096 &&
    // eslint-disable-next-line no-control-regex -- a path with control characters was tampered with
    !/[\u0000-\u001F\u007F]/.test(value)
  )
}

function isUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 8192) return false
  try {
    const { protocol } = new URL(value)
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}
