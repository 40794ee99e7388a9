// The one HTTP policy of every request-queue call: per-request timeout, retries with
// exponential backoff and jitter, Retry-After, and errors that carry the remote's own message.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number
  /** First backoff in milliseconds; doubled each retry, with full jitter. */
  baseDelayMs: number
  /** No single wait is longer than this, Retry-After included. */
  maxDelayMs: number
  /** Milliseconds before one attempt is abandoned. */
  timeoutMs: number
}

export const DEFAULT_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 60_000
}

/** A request-queue call that did not succeed. Never holds the API key. */
export class QueueError extends Error {
  override name = 'QueueError'
  constructor(
    message: string,
    /** HTTP status, or undefined when no answer came. */
    readonly status: number | undefined,
    /** True when a POST may have reached the server although no answer came back. */
    readonly ambiguous = false
  ) {
    super(message)
  }
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: unknown
  /** A request whose repetition could not do harm (GETs). POSTs are never retried after a send. */
  idempotent: boolean
  signal?: AbortSignal
}

export interface HttpObserver {
  onRetry?(attempt: number, delayMs: number, reason: string): void
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

/** Sends one request under the policy and returns the parsed JSON answer. */
export async function requestJson(
  request: HttpRequest,
  policy: RetryPolicy = DEFAULT_POLICY,
  observer: HttpObserver = {},
  wait: Sleep = sleep
): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(request, policy.timeoutMs)
    if (outcome.kind === 'ok') return outcome.value
    const last = attempt >= policy.attempts
    if (!outcome.retryable || last || request.signal?.aborted) throw outcome.error
    const delay = backoff(attempt, policy, outcome.retryAfterMs)
    observer.onRetry?.(attempt, delay, outcome.error.message)
    await wait(delay, request.signal)
  }
}

type Attempt =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; error: QueueError; retryable: boolean; retryAfterMs?: number }

async function attemptOnce(request: HttpRequest, timeoutMs: number): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs)
  // Cancelling never cuts a POST short: once sent it may be billed, and its answer is the only
  // way to learn the request id. Cancellation stops the retries instead.
  const signal =
    request.signal && request.idempotent ? AbortSignal.any([request.signal, timeout]) : timeout
  let response: Response
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal
    })
  } catch (cause) {
    if (request.signal?.aborted) {
      return { kind: 'error', error: new QueueError('cancelled', undefined), retryable: false }
    }
    const what = timeout.aborted ? `no answer within ${timeoutMs / 1000} s` : networkReason(cause)
    // A GET can be repeated freely. A POST may have been received and billed: the caller decides.
    return {
      kind: 'error',
      error: new QueueError(`${describe(request)}: ${what}`, undefined, !request.idempotent),
      retryable: request.idempotent
    }
  }

  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    return {
      kind: 'error',
      error: new QueueError(
        `${describe(request)}: answer cut off (${networkReason(cause)})`,
        response.status,
        !request.idempotent && response.ok
      ),
      retryable: request.idempotent
    }
  }

  if (response.ok) {
    try {
      return { kind: 'ok', value: text ? JSON.parse(text) : null }
    } catch {
      return {
        kind: 'error',
        error: new QueueError(
          `${describe(request)}: HTTP ${response.status} with a body that is not JSON: ${excerpt(text)}`,
          response.status,
          !request.idempotent
        ),
        retryable: request.idempotent
      }
    }
  }

  const status = response.status
  const retryable = status === 408 || status === 429 || status >= 500
  return {
    kind: 'error',
    error: new QueueError(
      `${describe(request)}: HTTP ${status}${meaning(status)}: ${remoteMessage(text)}`,
      status
    ),
    retryable,
    retryAfterMs: retryAfter(response.headers.get('retry-after'))
  }
}

function describe(request: HttpRequest): string {
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

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function backoff(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return ceiling / 2 + Math.random() * (ceiling / 2)
}
