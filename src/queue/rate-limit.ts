// Recognises the request queue's rate limit, which comes two ways (request-queue.md, "Evidence
// from live clients": rate limits): a 429, possibly asking to wait far longer than any retry, or a
// request that ends `failed` with "rate limit exceeded(RPM)". Limits count requests per hour per
// organisation, so once the queue says so, submitting more only collects more refusals.
import { QueueError } from './http.js'
import type { RemoteRequest } from './client.js'

/** Words of a failure reason that mean the queue refused for a limit, not that a render failed. */
const LIMIT_WORDS = /rate[\s_-]*limit|quota|too many requests|\bRP[MH]\b/i

/** Why the queue refused a submission for its rate limit, or null when `error` is another refusal. */
export function rateLimitOfSubmission(error: unknown): string | null {
  if (!(error instanceof QueueError) || error.ambiguous || error.stopped) return null
  if (error.status !== 429) return null
  const wait =
    error.retryAfterMs === undefined ? '' : `; it asks to wait ${duration(error.retryAfterMs)}`
  return `the request queue's rate limit was reached (${error.message}${wait})`
}

/** The reason of a request the queue failed for its rate limit or quota, or null. */
export function rateLimitOfRequest(remote: RemoteRequest): string | null {
  if (remote.status !== 'failed' || !remote.reason) return null
  return LIMIT_WORDS.test(remote.reason) ? remote.reason : null
}

/** `45 s`, `12 min`, `2.5 h`: how long the queue asks to wait, in words a reader takes in. */
export function duration(ms: number): string {
  const s = ms / 1000
  if (s < 120) return `${Math.round(s)} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${Math.round(s / 360) / 10} h`
}
