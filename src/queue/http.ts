// The one HTTP policy of every request-queue call: per-request timeout, retries with
// exponential backoff and jitter, Retry-After, a bound on every answer's size, redirects followed
// only within the queue's own origin, errors that carry the remote's own message, and the shape
// of every answer for the debug log.
import { answerShape } from './trail.js'
import { excerpt } from '../log.js'

export interface RetryPolicy {
  /** Sends in all, the first included. */
  attempts: number
  /** First backoff in milliseconds; doubled each retry, with jitter. */
  baseDelayMs: number
  /** No single wait is longer than this, Retry-After included. */
  maxDelayMs: number
  /** Milliseconds before one attempt of a GET is abandoned. */
  timeoutMs: number
  /** Milliseconds before a submission (POST) is given up waiting for. */
  submitTimeoutMs: number
}

export const DEFAULT_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 60_000,
  // HeyGen takes up to ~30 s at p99 to accept a job, and clients of the live queue allow 180 s
  // for the POST (request-queue.md, "Evidence from live clients": submit latency). Abandoning a
  // slow acceptance would make a possibly billed submission ambiguous.
  submitTimeoutMs: 180_000
}

/**
 * The largest answer read. The biggest the queue sends is a list of requests with their payloads;
 * anything larger is not an answer the action can use, and reading it whole could exhaust memory.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024

/** Redirects followed for one GET, within the queue's own origin. */
const MAX_REDIRECTS = 3

/** A request-queue call that did not succeed. Never holds the API key. */
export class QueueError extends Error {
  override name = 'QueueError'
  /** True when a POST may have created a billable request although no usable answer came. */
  readonly ambiguous: boolean
  /** True when the caller's signal stopped the call (cancellation or the global deadline). */
  readonly stopped: boolean
  /** What the queue's Retry-After asked for, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined
  constructor(
    message: string,
    /** HTTP status, or undefined when no answer came. */
    readonly status: number | undefined,
    flags: { ambiguous?: boolean; stopped?: boolean; retryAfterMs?: number } = {}
  ) {
    super(message)
    this.ambiguous = flags.ambiguous ?? false
    this.stopped = flags.stopped ?? false
    this.retryAfterMs = flags.retryAfterMs
  }
}

export interface HttpRequest<T> {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: unknown
  /** Turns the JSON answer into T; throws QueueError on a shape it cannot read. */
  read: (answer: unknown) => T
  /**
   * For a POST: finds the request that a send without a usable answer may have created, and
   * returns it, or undefined when there is none. Without it such a POST is never sent again.
   */
  recover?: (lost: QueueError) => Promise<T | undefined>
  signal?: AbortSignal
}

export interface HttpObserver {
  onRetry?(attempt: number, delayMs: number, reason: string): void
  /**
   * Told the shape of every answer (`GET /path → HTTP 200 in 0.4 s: status queued, …`): method,
   * path, status and the answer's structure, never a query string, a URL from the answer or a
   * header. For the debug log, so a failing run with a real queue shows what it answered.
   */
  onAnswer?(line: string): void
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/**
 * What a failed attempt says about the server's state, which decides what happens next:
 * - `again`: nothing was created (or the call is a GET): send again after a backoff;
 * - `unknown`: a POST may have created a request: look for it, and send again only if absent;
 * - `created`: a POST created a request whose answer was unreadable: look for it, never resend;
 * - `final`: a definite answer (4xx, upstream validation, cancellation): give up now.
 */
type Next = 'again' | 'unknown' | 'created' | 'final'

interface Failure {
  error: QueueError
  next: Next
  retryAfterMs?: number
}

type Attempt<T> = { ok: true; value: T } | ({ ok: false } & Failure)

/** Sends one request under the policy and returns its answer as `read` makes it. */
export async function requestJson<T>(
  request: HttpRequest<T>,
  policy: RetryPolicy = DEFAULT_POLICY,
  observer: HttpObserver = {},
  wait: Sleep = sleep
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(request, policy, observer)
    if (outcome.ok) return outcome.value
    const { error, next } = outcome
    if (next === 'final') throw error
    const last = attempt >= policy.attempts
    const delay = backoff(attempt, policy, outcome.retryAfterMs)

    if (next === 'again') {
      if (last) throw gaveUp(error, attempt)
      observer.onRetry?.(attempt, delay, error.message)
      await pause(wait, delay, request, error, false)
      continue
    }
    // A POST that may have been billed: paying again blindly could pay twice.
    if (!request.recover) throw new QueueError(error.message, error.status, { ambiguous: true })
    // The pause gives the queue time to list what it created before we look.
    observer.onRetry?.(
      attempt,
      delay,
      `${error.message}; looking for the request it may have created`
    )
    await pause(wait, delay, request, error, true)
    const found = await request.recover(error)
    if (found !== undefined) return found
    if (next === 'created') {
      throw new QueueError(
        `${error.message}; the queue accepted the request but does not list it; not resubmitted, to avoid paying twice`,
        error.status,
        { ambiguous: true }
      )
    }
    if (last) throw gaveUp(error, attempt)
  }
}

async function attemptOnce<T>(
  request: HttpRequest<T>,
  policy: RetryPolicy,
  observer: HttpObserver
): Promise<Attempt<T>> {
  const isPost = request.method === 'POST'
  const timeoutMs = isPost ? policy.submitTimeoutMs : policy.timeoutMs
  const started = Date.now()
  const timeout = AbortSignal.timeout(timeoutMs)
  // Cancelling never cuts a POST short: once sent it may be billed, and its answer is the only
  // way to learn the request id. Cancellation stops the retries instead.
  const signal = request.signal && !isPost ? AbortSignal.any([request.signal, timeout]) : timeout
  let response: Response
  try {
    response = await send(request, signal)
  } catch (cause) {
    if (cause instanceof QueueError) return failure(cause, 'final')
    if (request.signal?.aborted && !isPost) return failure(stoppedError(request), 'final')
    const code = networkReason(cause)
    const reason = timeout.aborted
      ? `no answer within ${timeoutMs / 1000} s`
      : `the connection failed (${code})`
    const error = new QueueError(`${describe(request)}: ${reason}`, undefined)
    // A refused connection sent nothing; any other failure may have come after the send.
    return failure(error, isPost && !NOT_SENT.has(code) ? 'unknown' : 'again')
  }

  let text: string
  try {
    text = await readCapped(response)
  } catch (cause) {
    if (cause instanceof TooLarge) {
      const error = new QueueError(`${describe(request)}: ${cause.message}`, response.status)
      // A POST answered 2xx created the request: look for it rather than send it again.
      return failure(error, isPost && response.ok ? 'created' : 'final')
    }
    const error = new QueueError(
      `${describe(request)}: answer cut off (${networkReason(cause)})`,
      response.status
    )
    return failure(error, !isPost ? 'again' : response.ok ? 'created' : 'unknown')
  }

  const answered = `${describe(request)} → HTTP ${response.status} in ${seconds(Date.now() - started)}`
  if (response.ok) return readAnswer(request, response.status, text, answered, observer)

  const status = response.status
  const message = remoteMessage(text)
  const retryAfterHeader = response.headers.get('retry-after')
  const retryAfterMs = retryAfter(retryAfterHeader)
  observer.onAnswer?.(
    `${answered}: an error${retryAfterMs === undefined ? '' : `, Retry-After ${seconds(retryAfterMs)}`}`
  )
  const error = new QueueError(
    `${describe(request)}: HTTP ${status}${meaning(status)}: ${message}`,
    status,
    { retryAfterMs }
  )
  // 408 and 429 refuse the call before handling it: safe to send again, even a POST.
  if (status === 408) return failure(error, 'again', retryAfterMs)
  if (status === 429) {
    // Limits are requests per hour per organisation (request-queue.md, "Evidence from live
    // clients": rate limits): a Retry-After longer than any wait of the policy is not ridden out.
    const tooLong = retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs
    return failure(error, tooLong ? 'final' : 'again', retryAfterMs)
  }
  if (status < 500) return failure(error, 'final')
  // GMI wraps upstream validation errors in a 500 ("Backend error (400): …"): sending the same
  // payload again cannot succeed.
  if (/^Backend error \(4\d\d\)/i.test(message)) return failure(error, 'final')
  // Any other 5xx to a POST may come from a gateway after the queue created the request.
  return failure(error, isPost ? 'unknown' : 'again', retryAfterMs)
}

/**
 * Sends the request, following a GET's redirects while they stay on the queue's origin. A
 * redirect elsewhere would send the key to another host, or trust its answer as the queue's; a
 * POST is never sent twice. Such a redirect is a QueueError naming where it pointed.
 */
async function send<T>(request: HttpRequest<T>, signal: AbortSignal): Promise<Response> {
  let url = request.url
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      redirect: 'manual',
      signal
    })
    const target = redirectOf(response, url)
    if (target === undefined) return response
    await response.body?.cancel().catch(() => {})
    const origin = new URL(request.url).origin
    const refused = (why: string) =>
      new QueueError(
        `${describe(request)}: HTTP ${response.status}, a redirect ${why}; check api-url`,
        response.status
      )
    if (!target) throw refused('without a usable Location')
    if (target.origin !== origin) throw refused(`to another origin (${target.origin})`)
    if (request.method !== 'GET') throw refused(`of a ${request.method}, which is never resent`)
    if (redirects >= MAX_REDIRECTS) throw refused(`chain longer than ${MAX_REDIRECTS}`)
    url = target.href
  }
}

/**
 * Where `response` redirects to, resolved against `from`, the URL that answered: undefined when
 * it is no redirect, null when it is one without a usable Location. Redirects are followed by
 * hand (`redirect: 'manual'`) so that every hop is checked before it is sent.
 */
export function redirectOf(response: Response, from: string): URL | null | undefined {
  if (response.status < 300 || response.status > 399 || response.status === 304) return undefined
  const location = response.headers.get('location')
  return location ? safeTarget(location, from) : null
}

function safeTarget(location: string, base: string): URL | null {
  try {
    return new URL(location, base)
  } catch {
    return null
  }
}

class TooLarge extends Error {}

/**
 * The answer's text, read only up to MAX_ANSWER_BYTES: a larger one is refused as soon as it is
 * announced or reached, before it fills memory.
 */
async function readCapped(response: Response): Promise<string> {
  const tooLarge = () =>
    new TooLarge(`the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`)
  const announced = Number(response.headers.get('content-length'))
  if (announced > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!response.body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of response.body) {
    size += chunk.byteLength
    // Leaving the loop cancels the stream: the rest is never downloaded.
    if (size > MAX_ANSWER_BYTES) throw tooLarge()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A refused connection or an unknown host: the request never left. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])

function readAnswer<T>(
  request: HttpRequest<T>,
  status: number,
  text: string,
  answered: string,
  observer: HttpObserver
): Attempt<T> {
  // A 2xx to a POST means the request exists: whatever is wrong with the answer, never resend.
  const unreadable = request.method === 'POST' ? 'created' : 'again'
  let answer: unknown
  try {
    answer = text ? JSON.parse(text) : null
  } catch {
    observer.onAnswer?.(`${answered}: not JSON (${text.length} characters)`)
    const error = new QueueError(
      `${describe(request)}: HTTP ${status} with a body that is not JSON: ${excerpt(text)}`,
      status
    )
    return failure(error, unreadable)
  }
  observer.onAnswer?.(`${answered}: ${answerShape(answer)}`)
  try {
    return { ok: true, value: request.read(answer) }
  } catch (cause) {
    const error = new QueueError(`${describe(request)}: ${(cause as Error).message}`, status)
    // A JSON answer of an unknown shape will not change on a second GET.
    return failure(error, request.method === 'POST' ? 'created' : 'final')
  }
}

function failure(error: QueueError, next: Next, retryAfterMs?: number): Failure & { ok: false } {
  return { ok: false, error, next, retryAfterMs }
}

async function pause<T>(
  wait: Sleep,
  ms: number,
  request: HttpRequest<T>,
  last: QueueError,
  ambiguous: boolean
): Promise<void> {
  try {
    await wait(ms, request.signal)
  } catch {
    throw stoppedError(request, last, ambiguous)
  }
}

function stoppedError<T>(
  request: HttpRequest<T>,
  last?: QueueError,
  ambiguous = false
): QueueError {
  const reason = request.signal?.reason
  const why = typeof reason === 'string' ? reason : 'cancelled'
  return new QueueError(
    `${describe(request)}: stopped (${why})${last ? ` after ${last.message}` : ''}`,
    last?.status,
    { stopped: true, ambiguous }
  )
}

function gaveUp(error: QueueError, attempts: number): QueueError {
  return new QueueError(`${error.message} (gave up after ${attempts} attempts)`, error.status, {
    retryAfterMs: error.retryAfterMs
  })
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function describe(request: { method: string; url: string }): string {
  return `${request.method} ${new URL(request.url).pathname}`
}

function meaning(status: number): string {
  switch (status) {
    case 401:
    case 403:
      return ' (the API key was refused)'
    case 402:
      return ' (insufficient balance)'
    case 429:
      return ' (rate limited)'
    default:
      return ''
  }
}

function networkReason(cause: unknown): string {
  const error = cause as { cause?: { code?: string; message?: string }; message?: string }
  return error.cause?.code ?? error.cause?.message ?? error.message ?? String(cause)
}

/** The remote's own words, from every error shape seen: `{error: "…"}`, `{error: {message, details}}`, `{message}`. */
export function remoteMessage(text: string): string {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return excerpt(text) || 'empty answer'
  }
  const record = body as Record<string, unknown> | null
  const error = record?.error
  if (typeof error === 'string') return excerpt(error)
  if (error && typeof error === 'object') {
    const { message, details } = error as Record<string, unknown>
    const parts = [message, details].filter(p => typeof p === 'string' && p)
    if (parts.length) return excerpt(parts.join(': '))
  }
  if (typeof record?.message === 'string') return excerpt(record.message)
  return excerpt(text)
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Retry-After when given, else an exponential ceiling with its upper half jittered. */
function backoff(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return ceiling / 2 + Math.random() * (ceiling / 2)
}
