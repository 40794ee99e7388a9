// A client of GMI Cloud's request queue: submit, look up, list, and model information,
// reading every answer defensively because most of its shape is undocumented.
import { readModelIds } from './models.js'
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
  /** The first of `mediaUrls`: the video. */
  videoUrl: string | null
  /** Every media URL of the outcome, in the queue's order (e.g. a cut with captions after it). */
  mediaUrls: string[]
  thumbnailUrl: string | null
  duration: number | null
  /** The remote's reason for `failed`/`cancelled`, where it gives one. */
  reason: string | null
  /** The keys of `outcome`, when it is an object: what to name when no field is recognised. */
  outcomeKeys: string[] | null
  /** A short JSON excerpt of `outcome` (signed URLs cut at their query), for want of a reason. */
  outcomeExcerpt: string | null
  /** The payload echoed back, when the answer carries it. */
  payload: unknown
  createdAt: number | null
}

/** The account's requests of one model, as far as the queue's list shows them. */
export interface RequestList {
  requests: RemoteRequest[]
  /** How many requests the queue says there are, when it says. */
  total: number | null
  /**
   * False when the list is known to hold more than was read: a `total` above what the pages
   * returned, or more pages than are read. Paging is undocumented, so true means "nothing said
   * otherwise".
   */
  complete: boolean
}

export interface SubmitOptions {
  signal?: AbortSignal
  /**
   * Picks, among the listed requests, the one a submission without a usable answer created.
   * Without it, such a submission fails rather than risk paying twice.
   */
  adopt?: (listed: RequestList) => RemoteRequest | undefined
}

export interface QueueClient {
  submit(model: string, payload: unknown, options?: SubmitOptions): Promise<RemoteRequest>
  get(requestId: string, signal?: AbortSignal): Promise<RemoteRequest>
  /** Follows the list's pages, when it names them, up to `maxPages` (default 10). */
  list(model: string, signal?: AbortSignal, maxPages?: number): Promise<RequestList>
  modelInfo(model: string, signal?: AbortSignal): Promise<unknown>
  /** The ids of the models this key can use (`GET /models`). */
  models(signal?: AbortSignal): Promise<string[]>
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
    async list(model, signal, maxPages = MAX_LIST_PAGES) {
      const first = `model_id=${encodeURIComponent(model)}`
      const requests: RemoteRequest[] = []
      const asked = new Set<string>()
      let total: number | null = null
      let query: string | null = first
      let pages = 0
      while (query !== null && !asked.has(query) && pages < maxPages) {
        asked.add(query)
        pages++
        const page: ListPage = await get(`/requests?${query}`, readListPage, signal)
        requests.push(...page.requests)
        total = page.total ?? total
        query = page.requests.length ? nextPageQuery(page.paging, first, requests.length) : null
      }
      const seen = new Set<string>()
      const unique = requests.filter(r => !seen.has(r.requestId) && seen.add(r.requestId))
      const moreAfterLast = query !== null && !asked.has(query)
      return {
        requests: unique,
        total,
        complete: !moreAfterLast && (total === null || total <= unique.length)
      }
    },
    modelInfo(model, signal) {
      return get(`/models/${encodeURIComponent(model)}`, answer => answer, signal)
    },
    models(signal) {
      return get(
        '/models',
        answer => {
          const ids = readModelIds(answer)
          if (!ids) throw new QueueError('the list of models holds no model ids', 200)
          return ids
        },
        signal
      )
    }
  }
  return client
}

/** Pages of the request list read at most, for one list: each is one more call to the queue. */
const MAX_LIST_PAGES = 10

interface ListPage {
  requests: RemoteRequest[]
  total: number | null
  /** The answer's paging fields, whatever they are. */
  paging: Record<string, unknown>
}

/**
 * The query of the next page, when the answer names one (request-queue.md, "Evidence from live
 * clients": list paging is unknown, only `{requests, total}` was seen): a `next` link within the
 * list's own path, a page token or cursor, a page number, or an offset.
 */
function nextPageQuery(
  paging: Record<string, unknown>,
  first: string,
  read: number
): string | null {
  const number = (value: unknown) => (typeof value === 'number' && value >= 0 ? value : null)
  const links = asRecord(paging.links)
  const next = [paging.next, paging.next_url, paging.next_page_url, links?.next].find(
    v => typeof v === 'string' && v
  ) as string | undefined
  if (next) {
    try {
      // Only the query is taken: the path stays the list's, on the queue's own origin.
      const url = new URL(next, `https://queue.invalid${BASE_PATH}/requests`)
      return url.pathname.endsWith('/requests') && url.search ? url.search.slice(1) : null
    } catch {
      return null
    }
  }
  const token = [paging.next_page_token, paging.next_token].find(
    v => typeof v === 'string' && v
  ) as string | undefined
  if (token) return `${first}&page_token=${encodeURIComponent(token)}`
  const cursor = [paging.next_cursor, paging.cursor_next].find(v => typeof v === 'string' && v) as
    string | undefined
  if (cursor) return `${first}&cursor=${encodeURIComponent(cursor)}`
  const page = number(paging.page)
  const size = number(paging.page_size) ?? number(paging.per_page)
  const pagesTotal = number(paging.total_pages) ?? number(paging.pages)
  const total = number(paging.total)
  if (page !== null) {
    const last = pagesTotal ?? (total !== null && size ? Math.ceil(total / size) : null)
    if (last === null ? paging.has_more !== true : page >= last) return null
    return `${first}&page=${page + 1}${size ? `&page_size=${size}` : ''}`
  }
  const offset = number(paging.offset)
  const limit = number(paging.limit)
  if (offset !== null && limit) {
    const more = paging.has_more === true || (total !== null && offset + limit < total)
    return more ? `${first}&offset=${offset + limit}&limit=${limit}` : null
  }
  if (paging.has_more === true && total === null) return `${first}&offset=${read}`
  return null
}

/**
 * Looks in the request list for what a lost submission created. When the list cannot tell
 * (unreadable, shown only in part, or without payloads to compare), it throws: resubmitting
 * could pay twice.
 */
async function findCreated(
  client: QueueClient,
  model: string,
  adopt: (listed: RequestList) => RemoteRequest | undefined,
  lost: QueueError,
  signal: AbortSignal | undefined
): Promise<RemoteRequest | undefined> {
  let listed: RequestList
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
  if (found) return found
  if (!listed.complete) {
    throw new QueueError(
      `${lost.message}; the request list shows ${shownOf(listed)}, and the request may be among those not shown; not resubmitted, to avoid paying twice`,
      lost.status,
      { ambiguous: true }
    )
  }
  if (listed.requests.every(r => r.payload !== undefined)) return undefined
  throw new QueueError(
    `${lost.message}; the request list does not show payloads to check whether the request was created; not resubmitted, to avoid paying twice`,
    lost.status,
    { ambiguous: true }
  )
}

/** `40 of 230 requests`, or `40 requests` when the queue gives no total. */
export function shownOf(list: RequestList): string {
  const more = list.total !== null && list.total > list.requests.length
  const count = more ? list.total : list.requests.length
  return `${list.requests.length}${more ? ` of ${list.total}` : ''} ${count === 1 ? 'request' : 'requests'}`
}

function readListPage(answer: unknown): ListPage {
  const record = asRecord(answer)
  const items = Array.isArray(answer) ? answer : record?.requests
  if (!Array.isArray(items)) throw new QueueError('the request list has no "requests" array', 200)
  const requests = items.flatMap(item => {
    try {
      return [readRequest(item, 'a listed request')]
    } catch {
      return []
    }
  })
  const totalField = record?.total ?? record?.total_count
  const total = typeof totalField === 'number' && totalField >= 0 ? totalField : null
  const paging = { ...asRecord(record?.pagination), ...asRecord(record?.meta), ...record }
  delete paging.requests
  return { requests, total, paging }
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
  const media = mediaUrlsOf(outcome)
  return {
    requestId,
    status,
    terminal: TERMINAL.has(status),
    videoUrl: media[0] ?? null,
    mediaUrls: media,
    thumbnailUrl: text(outcome?.thumbnail_image_url) ?? text(outcome?.thumbnail_url) ?? null,
    duration: typeof outcome?.duration === 'number' ? outcome.duration : null,
    reason: failureReason(record, outcome, status),
    outcomeKeys: outcome ? Object.keys(outcome) : null,
    outcomeExcerpt: record?.outcome == null ? null : outcomeExcerpt(record.outcome),
    // `payload: null` shows no more than an answer without the key.
    payload: record?.payload ?? undefined,
    createdAt: typeof record?.created_at === 'number' ? record.created_at : null
  }
}

/**
 * Every media URL of an outcome, in the three shapes seen (request-queue.md, "Evidence from live
 * clients": video URL): `media_urls[].url` (the model page), `medias[]` (one client), and
 * `video_url` (the API reference). The first is the video.
 */
function mediaUrlsOf(outcome: Record<string, unknown> | undefined): string[] {
  const urls = [outcome?.media_urls, outcome?.medias]
    .filter(Array.isArray)
    .flatMap(list =>
      (list as unknown[]).map(
        item => text(item) ?? text(asRecord(item)?.url) ?? text(asRecord(item)?.media_url)
      )
    )
  urls.push(text(outcome?.video_url))
  return [...new Set(urls.filter((url): url is string => url !== undefined))]
}

/**
 * No documented field holds the reason; these are the ones clients of the live queue read, in
 * their order (request-queue.md, "Evidence from live clients": failure reason). `outcome.status`
 * counts only when it says more than the request's own status.
 */
function failureReason(
  record: Record<string, unknown> | undefined,
  outcome: Record<string, unknown> | undefined,
  status: string
): string | null {
  const outcomeStatus =
    typeof outcome?.status === 'string' && outcome.status.trim().toLowerCase() !== status
      ? outcome.status
      : undefined
  const candidates = [
    record?.error,
    record?.error_message,
    outcome?.error,
    outcome?.error_message,
    outcome?.message,
    outcome?.fail_reason,
    outcomeStatus
  ]
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim()) return bounded(candidate.trim())
    const nested = asRecord(candidate)
    if (typeof nested?.message === 'string' && nested.message.trim()) {
      return bounded(nested.message.trim())
    }
  }
  return null
}

/**
 * A reason reaches the comment, the summary, the `results` output and the manifest: a remote that
 * answers megabytes must not make any of them that large.
 */
const MAX_REASON = 1000

function bounded(reason: string): string {
  if (reason.length <= MAX_REASON) return reason
  return `${reason.slice(0, MAX_REASON)}… (${reason.length - MAX_REASON} more characters)`
}

const EXCERPT_LENGTH = 200

/** The outcome as compact JSON, its URLs cut before the query (where signatures are), shortened. */
function outcomeExcerpt(outcome: unknown): string {
  const json = JSON.stringify(outcome, (_, value: unknown) =>
    typeof value === 'string' ? value.replace(/(https?:\/\/[^?#\s]*)[?#]\S*/gi, '$1?…') : value
  )
  return json.length > EXCERPT_LENGTH ? `${json.slice(0, EXCERPT_LENGTH)}…` : json
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined
}
