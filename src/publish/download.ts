// Streams one media file from a signed link to disk, within bounds the host cannot move: every
// redirect hop passes the same URL rule as the link, the file stops at a size cap, a host that
// stalls is dropped, and the run's deadline or cancellation ends it. What is left of a download
// that did not finish is removed. Nothing here logs: the link's query is its signature.
import { open, rm } from 'node:fs/promises'
import { redirectOf } from '../queue/http.js'
import { trustedUrl } from '../url.js'

export interface DownloadLimits {
  /** The largest file kept, in bytes: `max-download-size`. */
  maxBytes: number
  /** A download that receives less than STALL_BYTES in this many milliseconds has stalled. */
  stallMs: number
  /**
   * Aborted when the run's `timeout` passes or the run is cancelled; its reason (`timeout` or
   * `cancelled`) says which.
   */
  signal: AbortSignal
  /** The run's `timeout` in seconds, for the message of a download it ended. */
  timeoutSeconds: number
}

/** A download that did not finish. Its message never holds the URL. */
export class DownloadError extends Error {
  override name = 'DownloadError'
  constructor(
    message: string,
    /** The HTTP status storage answered, or undefined when it answered none. */
    readonly status: number | undefined,
    /** Whether the same file may come through on another try (with fresh links). */
    readonly retry: boolean
  ) {
    super(message)
  }
}

/**
 * At least this much must arrive in every stall window: a host that sends a byte now and then
 * holds the run as surely as one that sends nothing.
 */
export const STALL_BYTES = 64 * 1024

/** Redirects followed for one file, each checked like the link itself. */
const MAX_REDIRECTS = 5

/** Downloads `url` into `dest` and returns its size in bytes; throws DownloadError. */
export async function downloadFile(
  url: string,
  dest: string,
  limits: DownloadLimits
): Promise<number> {
  const stall = new AbortController()
  const signal = AbortSignal.any([limits.signal, stall.signal])
  let received = 0
  let checked = 0
  const watch = setInterval(() => {
    if (received - checked < STALL_BYTES) stall.abort('stalled')
    checked = received
  }, limits.stallMs)
  try {
    const response = await follow(url, signal)
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      throw new DownloadError(`HTTP ${response.status}`, response.status, false)
    }
    // A size announced beyond the cap is refused before a byte is written.
    if (Number(response.headers.get('content-length')) > limits.maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw tooLarge(limits.maxBytes)
    }
    const file = await open(dest, 'w')
    try {
      for await (const chunk of response.body ?? []) {
        received += chunk.byteLength
        // Leaving the loop cancels the stream: the rest is never downloaded.
        if (received > limits.maxBytes) throw tooLarge(limits.maxBytes)
        await file.write(chunk)
      }
    } finally {
      await file.close()
    }
    return received
  } catch (error) {
    await rm(dest, { force: true })
    throw explain(error, limits, stall.signal)
  } finally {
    clearInterval(watch)
  }
}

/**
 * The answer for `url`, its redirects followed by hand: each hop must pass the rule the link
 * passed (https, or http on this machine), or the download is refused at once, for good.
 */
async function follow(url: string, signal: AbortSignal): Promise<Response> {
  let current = url
  for (let hops = 0; ; hops++) {
    // No Authorization header: media lives on third-party storage and never sees the API key.
    // Identity encoding: the cap counts the bytes that reach the disk, not a compressed stream.
    const response = await fetch(current, {
      redirect: 'manual',
      headers: { 'accept-encoding': 'identity' },
      signal
    })
    const target = redirectOf(response, current)
    if (target === undefined) return response
    await response.body?.cancel().catch(() => {})
    const refused = (why: string) =>
      new DownloadError(`HTTP ${response.status}: refused a redirect ${why}`, undefined, false)
    if (!target) throw refused('without a usable Location')
    if (!trustedUrl(target.href)) {
      throw refused('to a URL that is not https (nor http on this machine)')
    }
    if (hops >= MAX_REDIRECTS) throw refused(`chain longer than ${MAX_REDIRECTS}`)
    current = target.href
  }
}

function tooLarge(maxBytes: number): DownloadError {
  return new DownloadError(
    `larger than max-download-size (${formatBytes(maxBytes)}); not kept`,
    undefined,
    false
  )
}

/** What stopped the download, as a DownloadError whose message names no URL. */
function explain(error: unknown, limits: DownloadLimits, stall: AbortSignal): DownloadError {
  if (error instanceof DownloadError) return error
  if (limits.signal.aborted) {
    const message =
      limits.signal.reason === 'cancelled'
        ? 'stopped: the run was cancelled'
        : `stopped: timeout (${limits.timeoutSeconds} s) passed before the download finished`
    return new DownloadError(message, undefined, false)
  }
  if (stall.aborted) {
    const window = `${limits.stallMs / 1000} s`
    return new DownloadError(
      `stalled: less than ${formatBytes(STALL_BYTES)} arrived in ${window}`,
      undefined,
      true
    )
  }
  // The connection failed or was cut off: only its code, as the error's text may hold the host.
  const code = (error as { cause?: { code?: unknown } }).cause?.code
  const why = typeof code === 'string' ? ` (${code})` : ''
  return new DownloadError(`the connection failed or was cut off${why}`, undefined, true)
}

/** `2 GiB`, `1.5 MiB`, `512 B`: sizes as the `max-download-size` input takes them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number(value.toFixed(2))} ${units[unit]}`
}
