// A client of GMI Cloud's request queue: submit, look up, list, and model information,
// reading every answer defensively because most of its shape is undocumented.
import {
  DEFAULT_POLICY,
  QueueError,
  requestJson,
  type HttpObserver,
  type RetryPolicy,
  type Sleep
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

export interface SubmitOptions {
  signal?: AbortSignal
  /**
   * Picks, among the listed requests, the one a submission without a usable answer created.
   * Without it, such a submission fails rather than risk paying twice.
   */
  adopt?: (listed: RemoteRequest[]) => RemoteRequest | undefined
}

export interface QueueClient {
  submit(model: string, payload: unknown, options?: SubmitOptions): Promise<RemoteRequest>
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
  /** Waits between retries; tests pass one that records instead of waiting. */
  sleep?: Sleep
}

export function createQueueClient(options: QueueClientOptions): QueueClient {
  const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}` }
  if (options.organizationId) headers['x-organization-id'] = options.organizationId
  const policy = options.policy ?? DEFAULT_POLICY
  const get = <T>(path: string, read: (answer: unknown) => T, signal?: AbortSignal) =>
    requestJson(
      { method: 'GET', url: `${options.apiUrl}${BASE_PATH}${path}`, headers, read, signal },
      policy,
      options.observer,
      options.sleep
    )

  const client: QueueClient = {
    submit(model, payload, { signal, adopt } = {}) {
      return requestJson(
        {
          method: 'POST',
          url: `${options.apiUrl}${BASE_PATH}/requests`,
          headers,
          body: { model, payload },
          read: answer => readRequest(answer, 'the submit answer'),
          recover: adopt && (lost => findCreated(client, model, adopt, lost, signal)),
          signal
        },
        policy,
        options.observer,
        options.sleep
      )
    },
    get(requestId, signal) {
      return get(
        `/requests/${encodeURIComponent(requestId)}`,
        answer => readRequest(answer, `the status of ${requestId}`),
        signal
      )
    },
    list(model, signal) {
      return get(`/requests?model_id=${encodeURIComponent(model)}`, readList, signal)
    },
    modelInfo(model, signal) {
      return get(`/models/${encodeURIComponent(model)}`, answer => answer, signal)
    }
  }
  return client
}

/**
 * Looks in the request list for what a lost submission created. When the list cannot tell
 * (unreadable, or without payloads to compare), it throws: resubmitting could pay twice.
 */
async function findCreated(
  client: QueueClient,
  model: string,
  adopt: (listed: RemoteRequest[]) => RemoteRequest | undefined,
  lost: QueueError,
  signal: AbortSignal | undefined
): Promise<RemoteRequest | undefined> {
  let listed: RemoteRequest[]
  try {
    listed = await client.list(model, signal)
  } catch (error) {
    const { stopped } = error as QueueError
    throw new QueueError(
      `${lost.message}; the request list could not be read to check whether the request was created (${(error as Error).message}); not resubmitted, to avoid paying twice`,
      lost.status,
      { ambiguous: true, stopped }
    )
  }
  const found = adopt(listed)
  if (found || listed.every(r => r.payload !== undefined)) return found
  throw new QueueError(
    `${lost.message}; the request list does not show payloads to check whether the request was created; not resubmitted, to avoid paying twice`,
    lost.status,
    { ambiguous: true }
  )
}

function readList(answer: unknown): RemoteRequest[] {
  const items = Array.isArray(answer) ? answer : asRecord(answer)?.requests
  if (!Array.isArray(items)) throw new QueueError('the request list has no "requests" array', 200)
  return items.flatMap(item => {
    try {
      return [readRequest(item, 'a listed request')]
    } catch {
      return []
    }
  })
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
    // `payload: null` shows no more than an answer without the key.
    payload: record?.payload ?? undefined,
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
