// A client of GMI Cloud's request queue: submit, look up, list, and model information,
// reading every answer defensively because most of its shape is undocumented.
import {
  DEFAULT_POLICY,
  QueueError,
  requestJson,
  type HttpObserver,
  type RetryPolicy
} from './http.js'

const BASE_PATH = '/api/v1/ie/requestqueue/apikey'
const TERMINAL = new Set(['success', 'failed', 'cancelled'])

/** What the action knows of one remote request after reading an answer. */
export interface RemoteRequest {
  requestId: string
  /** Remote status as given; unknown values are kept and treated as not terminal. */
  status: string
  terminal: boolean
  videoUrl: string | null
  thumbnailUrl: string | null
  duration: number | null
  /** The remote's reason for `failed`/`cancelled`, where it gives one. */
  reason: string | null
  /** The payload echoed back, when the answer carries it. */
  payload: unknown
  createdAt: number | null
}

export interface QueueClient {
  submit(model: string, payload: unknown, signal?: AbortSignal): Promise<RemoteRequest>
  get(requestId: string, signal?: AbortSignal): Promise<RemoteRequest>
  list(model: string, signal?: AbortSignal): Promise<RemoteRequest[]>
  modelInfo(model: string, signal?: AbortSignal): Promise<unknown>
}

export interface QueueClientOptions {
  apiUrl: string
  apiKey: string
  organizationId?: string
  policy?: RetryPolicy
  observer?: HttpObserver
}

export function createQueueClient(options: QueueClientOptions): QueueClient {
  const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}` }
  if (options.organizationId) headers['x-organization-id'] = options.organizationId
  const policy = options.policy ?? DEFAULT_POLICY
  const call = (
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal
  ): Promise<unknown> =>
    requestJson(
      {
        method,
        url: `${options.apiUrl}${BASE_PATH}${path}`,
        headers,
        body,
        idempotent: method === 'GET',
        signal
      },
      policy,
      options.observer
    )

  return {
    async submit(model, payload, signal) {
      const answer = await call('POST', '/requests', { model, payload }, signal)
      return readRequest(answer, 'the submit answer')
    },
    async get(requestId, signal) {
      const answer = await call(
        'GET',
        `/requests/${encodeURIComponent(requestId)}`,
        undefined,
        signal
      )
      return readRequest(answer, `the status of ${requestId}`)
    },
    async list(model, signal) {
      const answer = await call(
        'GET',
        `/requests?model_id=${encodeURIComponent(model)}`,
        undefined,
        signal
      )
      const items = Array.isArray(answer)
        ? answer
        : (answer as { requests?: unknown } | null)?.requests
      if (!Array.isArray(items))
        throw new QueueError('the request list has no "requests" array', 200)
      return items.flatMap(item => {
        try {
          return [readRequest(item, 'a listed request')]
        } catch {
          return []
        }
      })
    },
    modelInfo(model, signal) {
      return call('GET', `/models/${encodeURIComponent(model)}`, undefined, signal)
    }
  }
}

/** Reads a request object from any answer shape seen so far. */
export function readRequest(answer: unknown, what: string): RemoteRequest {
  const record = asRecord(answer)
  const requestId = record?.request_id ?? record?.id
  if (typeof requestId !== 'string' || !requestId) {
    throw new QueueError(`${what} has no request_id`, 200)
  }
  const status = typeof record?.status === 'string' ? record.status.toLowerCase() : 'unknown'
  const outcome = asRecord(record?.outcome)
  const mediaUrls = Array.isArray(outcome?.media_urls) ? outcome.media_urls : []
  const firstMedia = asRecord(mediaUrls[0])
  return {
    requestId,
    status,
    terminal: TERMINAL.has(status),
    videoUrl: text(firstMedia?.url) ?? text(outcome?.video_url) ?? null,
    thumbnailUrl: text(outcome?.thumbnail_image_url) ?? text(outcome?.thumbnail_url) ?? null,
    duration: typeof outcome?.duration === 'number' ? outcome.duration : null,
    reason: failureReason(record, outcome),
    payload: record?.payload,
    createdAt: typeof record?.created_at === 'number' ? record.created_at : null
  }
}

// No documented field holds the reason; these are the ones clients have seen.
function failureReason(
  record: Record<string, unknown> | undefined,
  outcome: Record<string, unknown> | undefined
): string | null {
  const candidates = [
    record?.error,
    record?.error_message,
    outcome?.error,
    outcome?.message,
    outcome?.fail_reason
  ]
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim()
    const nested = asRecord(candidate)
    if (typeof nested?.message === 'string' && nested.message.trim()) return nested.message.trim()
  }
  return null
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined
}
