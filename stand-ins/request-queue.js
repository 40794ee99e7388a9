// @ts-check
// Local stand-in for GMI Cloud's request queue (model heygen-avatar-4): its endpoints, the
// undocumented behaviour seen in the wild (request-queue.md, "Evidence from live clients": slow
// acceptance, rate limits, failure reasons and media in several shapes, requests not visible at
// once, a paged list), signed-URL media, and faults that tests inject.
// Plain ESM JavaScript so the demo and bench scripts can run it with `node` and no build step.

import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { STATUS_CODES, createServer } from 'node:http'
import { Readable, pipeline } from 'node:stream'
import { fileURLToPath } from 'node:url'

/**
 * @typedef {'success' | 'failed' | 'cancelled'} Outcome
 * @typedef {'error' | 'error_message' | 'outcome.error' | 'outcome.error_message'
 *   | 'outcome.message' | 'outcome.fail_reason' | 'outcome.status'} ReasonAt
 * @typedef {'media_urls' | 'video_url' | 'medias' | 'output'} VideoUrlField where a success puts
 *   its video: `output` is `{"output": {"video": url}}`, a shape no client reads
 *
 * @typedef {object} Plan What happens to one request, in simulated seconds.
 * @property {number} createdSeconds reports `created` this long first (seen in the wild; default 0)
 * @property {number} queuedSeconds default 1
 * @property {number} dispatchedSeconds reports `dispatched` this long after `queued` (default 0)
 * @property {number} processingSeconds default: the spoken length of the text scenes (min 2)
 * @property {Outcome} outcome default `success`
 * @property {string | null} reason failure text; `null` gives none at all
 * @property {ReasonAt} reasonAt where the failure text goes (default `outcome.fail_reason`)
 * @property {Record<string, unknown> | null} failedOutcome the whole `outcome` of a failure,
 *   as given, instead of a reason (default null: use `reason`)
 * @property {boolean} omitMedia success without any video URL
 * @property {VideoUrlField} videoUrlField default `media_urls`
 * @property {number} extraMedia further videos after the first (e.g. a captioned cut), in the
 *   same field (default 0)
 * @property {'jpeg' | 'png' | 'webp'} thumbnailFormat default `jpeg`
 * @property {number} acceptSeconds the submit answer comes this long after the request is
 *   created, like HeyGen's slow acceptance (default 0)
 * @property {number} hiddenSeconds the request answers 404 and is not listed this long after its
 *   creation, as if the queue's reads had not seen it yet (default 0)
 * @property {number} duration seconds reported in the outcome (default: the spoken length)
 * @property {number} mediaTtlSeconds signed media URLs expire this long after the request ends
 * @property {number | undefined} videoBytes size of the video body (default: the real fixture)
 * @property {boolean} neverStarts stays queued forever
 * @property {boolean} immediate the submit answer already carries the terminal status
 *
 * @typedef {(payload: Record<string, unknown>, index: number, model: string)
 *   => Partial<Plan> | undefined} PlanFn
 *
 * @typedef {object} Fault Matched in order against incoming calls, consumed `times` times.
 * @property {string} [method]
 * @property {string | RegExp} [path] a string matches a pathname that contains it; without `path`
 *   a fault matches API calls only, never media downloads
 * @property {number} [times] default 1
 * @property {number} [status] answer this instead of the normal answer (default 500 with a body)
 * @property {unknown} [body] JSON body of that answer (default `{"error": <status text>}`)
 * @property {string} [bodyText] raw body of that answer, e.g. malformed JSON or an HTML page
 * @property {Record<string, string>} [headers] added to the answer, canned or normal
 * @property {true} [reset] destroy the socket without answering
 * @property {number} [delayMs] answer this late; the call is handled only when the delay ends
 * @property {true} [ambiguous] handle the call (a submit creates a billable request), then
 *   destroy the socket so the client cannot know
 * @property {true} [handled] handle the call (a submit creates a billable request), then send
 *   the canned answer anyway, like a gateway that times out after the queue accepted the call
 * @property {true} [endless] answer 200 `video/mp4` with no `Content-Length` and a body that
 *   never ends, as fast as the client reads, until it hangs up (a hostile media host; past
 *   ENDLESS_SAFETY_BYTES the simulator cuts it off itself, to spare the disk of a client that
 *   never stops)
 * @property {string} [redirectTo] answer 302 to this origin, the call's own path and query after
 *   it: storage handing a download on to another of its hosts
 * @property {number} [dripMs] answer 200 `video/mp4` with no `Content-Length`, then one byte
 *   every `dripMs` milliseconds until the client hangs up (a host that holds a download open)
 *
 * @typedef {object} FaultRate Random errors on API calls (never media), answered before the call
 *   is handled, so a failed submit bills nothing. The same seed fails the same calls in order.
 * @property {number} rate share of API calls that fail, 0 – 1
 * @property {number[]} [statuses] one is drawn for each failure (default 500, 502, 503, 429)
 * @property {number} [retryAfterSeconds] simulated seconds a 429 asks to wait; `Retry-After`
 *   carries them scaled, so possibly fractional (default 1)
 * @property {number} [seed] default 1
 *
 * @typedef {object} RateLimit The organisation's limit of requests (per hour on the live queue).
 * @property {number} requests submissions accepted before the limit bites
 * @property {'429' | 'failed'} [as] `429` refuses later submissions, billing nothing; `failed`
 *   accepts them and fails them at once with "rate limit exceeded(RPM)" (default `429`)
 * @property {number} [retryAfterSeconds] the 429's Retry-After, in real seconds, unscaled: an hourly
 *   limit asks for long waits (default 3600; 0 sends none)
 *
 * @typedef {object} SimOptions
 * @property {string} [apiKey] the accepted Bearer key (default `sim-key`)
 * @property {string[]} [models] known model ids, case-sensitive (default `['heygen-avatar-4']`);
 *   `GET /models` lists them
 * @property {Record<string, string[]>} [parameters] the parameter names each model's details
 *   list (default: `heygen-avatar-4` and `heygen-avatar-v4` as their GMI pages show them)
 * @property {RateLimit} [rateLimit]
 * @property {number} [listPageSize] the request list shows at most this many requests a page
 *   (default: all)
 * @property {'none' | 'page' | 'cursor'} [listPaging] how further pages are reached: `none` names
 *   no paging field (only `total` says there are more), `page` answers `page`, `page_size`,
 *   `total_pages` and reads `?page=&page_size=`, `cursor` answers `next_page_token` and reads
 *   `?page_token=` (default `none`)
 * @property {'everything' | 'no-outcome' | 'ids'} [listShows] what each entry of the request list
 *   shows: the whole status answer (default), no `outcome`, or only `request_id` and timestamps
 *   (whether the live list shows statuses is unknown)
 * @property {string} [organizationId] when set, another `X-Organization-ID` gets 403
 * @property {number} [timeScale] real seconds per simulated second (default 1)
 * @property {() => number} [clock] the time in epoch milliseconds (default `Date.now`): a test that
 *   steps it sees each status of a request without waiting, however busy the machine is
 * @property {PlanFn} [plan] decides each request's fate when it is submitted
 * @property {boolean} [echoPayload] whether status answers echo `payload` (default true)
 * @property {boolean} [resignMedia] every answer signs the media URLs anew, valid from then on,
 *   the way a queue that refreshes expired links would (default false: signed once, at the end)
 * @property {FaultRate} [faultRate] fails a share of API calls at random, after injected faults
 * @property {number} [port] default 0 (an ephemeral port)
 *
 * @typedef {{ method: string, path: string, query: Record<string, string>,
 *   status: number | undefined, authorization: boolean, organization: string | undefined,
 *   at: number }} CallLog
 *   `status` is 0 when the socket was destroyed without an answer.
 * @typedef {{ path: string, status: number | undefined, authorization: boolean,
 *   sent?: number, hungUp?: boolean }} MediaFetch
 *   `sent` and `hungUp`, for an `endless` or `dripMs` fault only: the body's bytes written, and
 *   whether the client closed the connection (rather than the simulator).
 *
 * @typedef {Record<string, unknown> & { request_id: string, model: string,
 *   payload: Record<string, unknown>, status: string, created_at: number, polls: number,
 *   plan: Plan, endedAt: number }} SimRequest
 *   `endedAt`: when the request reaches its terminal status, in real epoch milliseconds (Infinity
 *   for one that never starts), to the millisecond, unlike the API's whole-second timestamps.
 *
 * @typedef {object} RequestQueueSim
 * @property {string} url base URL, the action's `api-url`
 * @property {() => Promise<void>} close closes the server and every socket
 * @property {SimRequest[]} requests every created (billable) request as it is now, oldest first
 * @property {number} billable how many requests were created
 * @property {CallLog[]} calls every API call (media downloads are in `mediaFetches`)
 * @property {MediaFetch[]} mediaFetches
 * @property {(fault: Fault) => void} inject
 * @property {() => void} expireMedia every media URL issued so far answers 403 from now on
 * @property {(plan: PlanFn | undefined) => void} setPlan
 * @property {(limit: RateLimit | undefined) => void} setRateLimit replaces the rate limit, e.g.
 *   lifts it, as the next hour would; `requests` still counts every request ever created
 * @property {(requestId: string) => void} forget the request answers 404 and leaves the list
 *   from now on, as if the queue had lost it; it stays billed
 *
 * @typedef {{ request_id: string, model: string, payload: Record<string, unknown>, plan: Plan,
 *   submittedAt: number, phases: Array<{ status: string, endsAt: number }>, endedAt: number,
 *   polls: number }} RequestRecord
 *   Times are real epoch milliseconds; `endedAt` is Infinity for a request that never starts.
 *
 * @typedef {{ status: number, headers: Record<string, string | number>,
 *   body?: Buffer | Readable, lateMs?: number }} Reply
 */

const API = '/api/v1/ie/requestqueue/apikey'
const AVATAR_MODEL = 'heygen-avatar-4'
const TERMINAL = new Set(['success', 'failed', 'cancelled'])
const WORDS_PER_SECOND = 2.5
const MIN_MP4_BYTES = 28 // an ftyp box naming one brand, then an empty free box

const VIDEO = readFileSync(new URL('./media/video.mp4', import.meta.url))
/** The thumbnail in each format a plan can ask for: file name, content type, bytes. */
const THUMBNAILS = {
  jpeg: { file: 'thumbnail.jpg', type: 'image/jpeg', bytes: media('thumbnail.jpg') },
  png: { file: 'thumbnail.png', type: 'image/png', bytes: media('thumbnail.png') },
  webp: { file: 'thumbnail.webp', type: 'image/webp', bytes: media('thumbnail.webp') }
}
/** What the GMI model pages list (request-queue.md, "Evidence from live clients": model details). */
const MODEL_PARAMETERS = {
  'heygen-avatar-4': ['video_inputs', 'dimension', 'caption', 'title'],
  'heygen-avatar-v4': ['video_inputs', 'dimension', 'duration']
}
const RATE_LIMIT_REASON = 'rate limit exceeded(RPM)'
const ZEROS = Buffer.alloc(256 * 1024)
/** Where an `endless` body is cut off by the simulator itself, should the client never stop. */
const ENDLESS_SAFETY_BYTES = 256 * 1024 * 1024

/**
 * Starts the simulator on 127.0.0.1.
 * @param {SimOptions} [options]
 * @returns {Promise<RequestQueueSim>}
 */
export async function startRequestQueue(options = {}) {
  const apiKey = options.apiKey ?? 'sim-key'
  const models = options.models ?? [AVATAR_MODEL]
  const timeScale = options.timeScale ?? 1
  const clock = options.clock ?? Date.now
  const echoPayload = options.echoPayload ?? true
  const orgId = options.organizationId ?? 'sim-org'
  /** @type {Record<string, string[]>} */
  const parameters = options.parameters ?? MODEL_PARAMETERS
  let rateLimit = options.rateLimit
  const listPaging = options.listPaging ?? 'none'
  let planFn = options.plan
  const randomFault = options.faultRate ? faultDrawer(options.faultRate, timeScale) : undefined
  const resignMedia = options.resignMedia ?? false
  let mediaRevokedAt = -Infinity
  /** @type {Set<string>} */
  const forgotten = new Set()
  let closed = false

  const secret = randomBytes(32)
  /** @type {Map<string, RequestRecord>} */
  const records = new Map()
  /** @type {Array<Fault & { left: number }>} */
  const faults = []
  /** @type {CallLog[]} */
  const calls = []
  /** @type {MediaFetch[]} */
  const mediaFetches = []
  /** @type {Set<() => void>} wakes every pending `delayMs`, so closing leaves no timer behind */
  const sleepers = new Set()

  const server = createServer((req, res) => {
    serve(req, res).catch(error => {
      const reply = json(500, { error: `simulator error: ${error.message}` })
      if (!res.headersSent && !res.destroyed) send(res, reply)
    })
  })
  await new Promise(resolve => server.listen(options.port ?? 0, '127.0.0.1', () => resolve(null)))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  const url = `http://127.0.0.1:${address.port}`

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  async function serve(req, res) {
    const { pathname, searchParams } = new URL(req.url ?? '/', url)
    const method = req.method ?? 'GET'
    const bodyText = await readBody(req)
    const authorization = req.headers.authorization !== undefined
    const isMedia = pathname.startsWith('/media/')
    const entry = isMedia
      ? logged(mediaFetches, { path: pathname, status: undefined, authorization })
      : logged(calls, {
          method,
          path: pathname,
          query: Object.fromEntries(searchParams),
          status: undefined,
          authorization,
          organization: header(req, 'x-organization-id'),
          at: clock()
        })

    const fault = takeFault(method, pathname, isMedia) ?? (isMedia ? undefined : randomFault?.())
    if (fault?.delayMs) await pause(fault.delayMs)
    if (closed) return
    if (fault?.reset) return drop(res, entry)
    if (fault?.endless || fault?.dripMs) return streamForever(res, entry, fault)

    if (fault?.handled && !isMedia) apiReply(req, method, pathname, searchParams, bodyText)
    /** @type {Reply} */
    const reply =
      fault?.redirectTo !== undefined
        ? redirect(fault.redirectTo + (req.url ?? '/'))
        : fault && isCanned(fault)
          ? cannedReply(fault)
          : isMedia
            ? mediaReply(req, pathname, searchParams)
            : apiReply(req, method, pathname, searchParams, bodyText)
    if (fault?.ambiguous) return drop(res, entry)
    if (reply.lateMs) await pause(reply.lateMs)
    if (closed) return
    Object.assign(reply.headers, fault?.headers)
    entry.status = reply.status
    send(res, reply)
  }

  /**
   * @param {string} method
   * @param {string} pathname
   * @param {boolean} isMedia
   */
  function takeFault(method, pathname, isMedia) {
    const index = faults.findIndex(
      fault =>
        (fault.method === undefined || fault.method.toUpperCase() === method) &&
        (fault.path === undefined
          ? !isMedia
          : typeof fault.path === 'string'
            ? pathname.includes(fault.path)
            : fault.path.test(pathname))
    )
    const fault = faults[index]
    if (fault && --fault.left <= 0) faults.splice(index, 1)
    return fault
  }

  /**
   * The body of a hostile media host: it ends only when the client hangs up.
   * @param {import('node:http').ServerResponse} res
   * @param {MediaFetch | CallLog} entry
   * @param {Fault} fault
   */
  function streamForever(res, entry, fault) {
    const log = /** @type {MediaFetch} */ (entry)
    log.status = 200
    log.sent = 0
    log.hungUp = false
    let ended = false
    let cutOff = false
    res.on('close', () => {
      ended = true
      log.hungUp = !closed && !cutOff
    })
    res.writeHead(200, { 'Content-Type': 'video/mp4', ...fault.headers })
    // An MP4 that keeps growing: its ftyp box, then zeros without end.
    const body = (function* () {
      yield boxHeader('ftyp', 20)
      yield Buffer.from('isom\0\0\0\0isom')
      for (;;) yield ZEROS
    })()
    if (fault.dripMs) {
      let left = Buffer.alloc(0)
      const timer = setInterval(() => {
        if (!left.length) left = body.next().value ?? ZEROS
        res.write(left.subarray(0, 1))
        left = left.subarray(1)
        log.sent = (log.sent ?? 0) + 1
      }, fault.dripMs)
      res.on('close', () => clearInterval(timer))
      return
    }
    const pump = () => {
      while (!ended) {
        if ((log.sent ?? 0) >= ENDLESS_SAFETY_BYTES) {
          cutOff = true
          return void res.destroy()
        }
        const chunk = body.next().value ?? ZEROS
        log.sent = (log.sent ?? 0) + chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
    }
    pump()
  }

  /** @param {number} ms */
  function pause(ms) {
    return new Promise(resolve => {
      const wake = () => {
        clearTimeout(timer)
        sleepers.delete(wake)
        resolve(null)
      }
      const timer = setTimeout(wake, ms)
      sleepers.add(wake)
    })
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {string} method
   * @param {string} pathname
   * @param {URLSearchParams} query
   * @param {string} bodyText
   * @returns {Reply}
   */
  function apiReply(req, method, pathname, query, bodyText) {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return json(401, { error: 'invalid api key' })
    }
    const organization = header(req, 'x-organization-id')
    if (options.organizationId && organization !== undefined && organization !== orgId) {
      return json(403, {
        error: { message: 'forbidden', details: `the API key does not belong to ${organization}` }
      })
    }
    const [collection, id, ...rest] = pathname.startsWith(`${API}/`)
      ? pathname.slice(API.length + 1).split('/')
      : []
    if (rest.length > 0 || collection === undefined) return json(404, { error: 'not found' })
    const route = `${method} ${collection}${id === undefined ? '' : '/:id'}`
    switch (route) {
      case 'POST requests':
        return submit(bodyText)
      case 'GET requests':
        return listRequests(query)
      case 'GET requests/:id':
        return showRequest(decodeURIComponent(id ?? ''))
      case 'GET models/:id':
        return modelInfo(decodeURIComponent(id ?? ''))
      case 'GET models':
        return json(200, {
          models: models.map(model => ({ model_id: model, type: 'video-generation' })),
          total: models.length
        })
      default:
        return json(['requests', 'models'].includes(collection) ? 405 : 404, {
          error: `no route for ${method} ${pathname}`
        })
    }
  }

  /**
   * @param {string} bodyText
   * @returns {Reply}
   */
  function submit(bodyText) {
    /** @type {unknown} */
    let body
    try {
      body = JSON.parse(bodyText)
    } catch (error) {
      return json(400, { error: `invalid JSON body: ${/** @type {Error} */ (error).message}` })
    }
    if (!isObject(body) || typeof body.model !== 'string' || !isObject(body.payload)) {
      return json(400, { error: 'body must be {"model": string, "payload": object}' })
    }
    const { model, payload } = body
    if (!models.includes(model)) return modelNotFound(model)
    const limit = rateLimit
    const limited = limit !== undefined && records.size >= limit.requests
    if (limited && (limit.as ?? '429') === '429') {
      const wait = limit.retryAfterSeconds ?? 3600
      const reply = json(429, { error: RATE_LIMIT_REASON })
      if (wait > 0) reply.headers['Retry-After'] = String(wait)
      return reply
    }
    const problem = model === AVATAR_MODEL ? avatarPayloadProblem(payload) : undefined
    // What GMI answers when HeyGen rejects the payload: the upstream 400 wrapped in a 500.
    if (problem) return json(500, { error: `Backend error (400): ${problem}` })

    /** @type {Plan} */
    let plan
    try {
      const planned = planFn?.(payload, records.size, model) ?? {}
      plan = resolvePlan(
        limited
          ? { ...planned, outcome: 'failed', reason: RATE_LIMIT_REASON, immediate: true }
          : planned,
        payload
      )
    } catch (error) {
      return json(500, { error: `simulator plan failed: ${/** @type {Error} */ (error).message}` })
    }
    const record = createRecord(model, payload, plan, clock(), timeScale)
    records.set(record.request_id, record)

    // A slow acceptance: the request exists (and is billed) before the answer leaves.
    const lateMs = plan.acceptSeconds * timeScale * 1000
    const { status: current, since } = phaseAt(record, clock() + lateMs)
    return {
      ...json(200, {
        request_id: record.request_id,
        model,
        status: current,
        ...(TERMINAL.has(current) ? terminalFields(record) : {}),
        ...timestamps(record, since)
      }),
      lateMs
    }
  }

  /**
   * One page of the list, newest first: all of it unless `listPageSize` is set.
   * @param {URLSearchParams} query
   * @returns {Reply}
   */
  function listRequests(query) {
    const now = clock()
    const modelId = query.get('model_id')
    const items = [...records.values()]
      .filter(record => modelId === null || record.model === modelId)
      .filter(record => !forgotten.has(record.request_id) && !hidden(record, now))
      .reverse()
      .map(record => listEntry(statusAnswer(record, now, echoPayload)))
    const total = items.length
    const size = options.listPageSize ?? Math.max(total, 1)
    if (listPaging === 'page') {
      const page = Math.max(1, Number(query.get('page') ?? 1))
      const pageSize = Number(query.get('page_size') ?? size)
      const requests = items.slice((page - 1) * pageSize, page * pageSize)
      const pages = Math.max(1, Math.ceil(total / pageSize))
      return json(200, { requests, total, page, page_size: pageSize, total_pages: pages })
    }
    if (listPaging === 'cursor') {
      const start = Number(query.get('page_token') ?? 0)
      const requests = items.slice(start, start + size)
      const next = start + size < total ? { next_page_token: String(start + size) } : {}
      return json(200, { requests, total, ...next })
    }
    return json(200, { requests: items.slice(0, size), total })
  }

  /**
   * A request as the list shows it (`listShows`).
   * @param {Record<string, unknown>} answer
   */
  function listEntry(answer) {
    const shows = options.listShows ?? 'everything'
    if (shows === 'everything') return answer
    if (shows === 'ids') {
      const { request_id, created_at, updated_at } = answer
      return { request_id, created_at, updated_at }
    }
    // Without the outcome, and without a failure's reason beside it.
    const rest = { ...answer }
    for (const key of ['outcome', 'error', 'error_message']) delete rest[key]
    return rest
  }

  /**
   * Whether the queue's reads do not see the request yet (its plan's `hiddenSeconds`).
   * @param {RequestRecord} record
   * @param {number} now
   */
  function hidden(record, now) {
    return now < record.submittedAt + record.plan.hiddenSeconds * timeScale * 1000
  }

  /**
   * @param {string} id
   * @returns {Reply}
   */
  function showRequest(id) {
    const found = forgotten.has(id) ? undefined : records.get(id)
    const record = found && !hidden(found, clock()) ? found : undefined
    if (!record) return json(404, { error: 'request not found' })
    record.polls += 1
    return json(200, statusAnswer(record, clock(), echoPayload))
  }

  /**
   * @param {string} model
   * @returns {Reply}
   */
  function modelInfo(model) {
    if (!models.includes(model)) return modelNotFound(model)
    const heygen = model.startsWith('heygen-')
    return json(200, {
      model_id: model,
      name: heygen ? 'HeyGen Avatar IV' : model,
      provider: heygen ? 'HeyGen' : 'GMI Cloud',
      type: 'video-generation',
      status: 'active',
      description: 'Talking avatar videos from a script (simulated)',
      pricing: { unit: 'request', currency: 'USD' },
      ...(parameters[model]
        ? {
            parameters: parameters[model].map(name => ({
              name,
              required: name === 'video_inputs'
            }))
          }
        : {}),
      created_at: 1750000000
    })
  }

  /**
   * The status answer, shaped like the reference's example.
   * @param {RequestRecord} record
   * @param {number} now
   * @param {boolean} withPayload
   */
  function statusAnswer(record, now, withPayload) {
    const { status: current, since } = phaseAt(record, now)
    return {
      request_id: record.request_id,
      org_id: orgId,
      model: record.model,
      status: current,
      is_public: false,
      ...(withPayload ? { payload: record.payload } : {}),
      ...(TERMINAL.has(current) ? terminalFields(record) : { outcome: null }),
      ...timestamps(record, since)
    }
  }

  /**
   * `outcome`, plus the failure reason wherever this request's plan puts it.
   * @param {RequestRecord} record
   * @returns {Record<string, unknown>}
   */
  function terminalFields(record) {
    const { plan } = record
    if (plan.outcome === 'success') return { outcome: successOutcome(record) }
    if (plan.failedOutcome) return { outcome: plan.failedOutcome }
    if (plan.reason === null) return { outcome: null }
    if (plan.reasonAt.startsWith('outcome.')) {
      return { outcome: { [plan.reasonAt.slice('outcome.'.length)]: plan.reason } }
    }
    return { outcome: null, [plan.reasonAt]: plan.reason }
  }

  /** @param {RequestRecord} record */
  function successOutcome(record) {
    const { plan } = record
    /** @type {Record<string, unknown>} */
    const outcome = {}
    if (!plan.omitMedia) {
      const videos = videoFiles(plan).map(file => mediaUrl(record, file))
      const [video] = videos
      if (plan.videoUrlField === 'video_url') outcome.video_url = video
      else if (plan.videoUrlField === 'medias') {
        outcome.medias = videos.map(url => ({ type: 'video', url }))
      } else if (plan.videoUrlField === 'output') outcome.output = { video }
      else outcome.media_urls = videos.map((url, i) => ({ id: String(i), url }))
    }
    outcome.thumbnail_image_url = mediaUrl(record, THUMBNAILS[plan.thumbnailFormat].file)
    outcome.duration = plan.duration
    return outcome
  }

  /**
   * Signed like a cloud-storage URL, issued when the request ends (or now, with `resignMedia`):
   * `expires` less the TTL is the issue time `expireMedia` revokes by. `expires` is in epoch
   * milliseconds because simulated time can run a thousand times faster than the clock.
   * @param {RequestRecord} record
   * @param {string} file
   */
  function mediaUrl(record, file) {
    const path = `/media/${record.request_id}/${file}`
    const issuedAt = resignMedia ? clock() : record.endedAt
    const expires = Math.round(issuedAt + mediaTtlMs(record))
    return `${url}${path}?expires=${expires}&sig=${sign(path, String(expires))}`
  }

  /** @param {RequestRecord} record */
  function mediaTtlMs(record) {
    return record.plan.mediaTtlSeconds * timeScale * 1000
  }

  /**
   * @param {string} path
   * @param {string} expires
   */
  function sign(path, expires) {
    return createHmac('sha256', secret).update(`${path}\n${expires}`).digest('hex')
  }

  /**
   * Answers like cloud storage: XML errors, and 401 for any `Authorization` header.
   * @param {import('node:http').IncomingMessage} req
   * @param {string} pathname
   * @param {URLSearchParams} query
   * @returns {Reply}
   */
  function mediaReply(req, pathname, query) {
    if (req.headers.authorization !== undefined) {
      return storageError(
        401,
        'AuthenticationRequired',
        'Signed URLs take no Authorization header.'
      )
    }
    const [, , id = '', file = ''] = pathname.split('/')
    const record = records.get(id)
    const thumbnail = record && THUMBNAILS[record.plan.thumbnailFormat]
    const isVideo = record !== undefined && videoFiles(record.plan).includes(file)
    const issued =
      record?.plan.outcome === 'success' &&
      (file === thumbnail?.file || (isVideo && !record.plan.omitMedia))
    if (!record || !issued) {
      return storageError(404, 'NoSuchKey', 'The specified key does not exist.')
    }
    const expires = query.get('expires') ?? ''
    if (query.get('sig') !== sign(pathname, expires)) {
      return storageError(403, 'SignatureDoesNotMatch', 'The request signature does not match.')
    }
    const issuedAt = Number(expires) - mediaTtlMs(record)
    if (clock() > Number(expires) || issuedAt <= mediaRevokedAt) {
      return storageError(403, 'ExpiredToken', 'Invalid argument. The provided token has expired.')
    }
    const image = thumbnail ?? THUMBNAILS.jpeg
    const { length, open } = isVideo
      ? videoBody(record.plan.videoBytes)
      : { length: image.bytes.length, open: () => image.bytes }
    return {
      status: 200,
      headers: {
        'Content-Type': isVideo ? 'video/mp4' : image.type,
        'Content-Length': length
      },
      body: req.method === 'HEAD' ? undefined : open()
    }
  }

  /** @param {string} model */
  function modelNotFound(model) {
    return json(404, {
      error: {
        message: 'model not found',
        details: `model "${model}" does not exist or this account cannot use it`
      }
    })
  }

  return {
    url,
    get requests() {
      const now = clock()
      return [...records.values()].map(record => ({
        ...statusAnswer(record, now, false),
        payload: record.payload,
        polls: record.polls,
        plan: record.plan,
        endedAt: record.endedAt
      }))
    },
    get billable() {
      return records.size
    },
    calls,
    mediaFetches,
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 })
    },
    expireMedia() {
      mediaRevokedAt = clock()
    },
    forget(requestId) {
      forgotten.add(requestId)
    },
    setPlan(fn) {
      planFn = fn
    },
    setRateLimit(limit) {
      rateLimit = limit
    },
    async close() {
      closed = true
      for (const wake of sleepers) wake()
      const done = new Promise(resolve => server.close(() => resolve(null)))
      server.closeAllConnections()
      await done
    }
  }
}

/**
 * Fills in a plan's defaults; a plan the simulator cannot honour throws.
 * @param {Partial<Plan>} partial
 * @param {Record<string, unknown>} payload
 * @returns {Plan}
 */
function resolvePlan(partial, payload) {
  const given = Object.fromEntries(
    Object.entries(partial).filter(([, value]) => value !== undefined)
  )
  const spoken = Math.round(Math.max(2, spokenWords(payload) / WORDS_PER_SECOND) * 10) / 10
  const outcome = partial.outcome ?? 'success'
  /** @type {Plan} */
  const plan = {
    createdSeconds: 0,
    queuedSeconds: 1,
    dispatchedSeconds: 0,
    processingSeconds: spoken,
    outcome,
    reason: outcome === 'cancelled' ? 'request cancelled' : 'video generation failed',
    reasonAt: 'outcome.fail_reason',
    failedOutcome: null,
    omitMedia: false,
    videoUrlField: 'media_urls',
    extraMedia: 0,
    thumbnailFormat: 'jpeg',
    acceptSeconds: 0,
    hiddenSeconds: 0,
    duration: spoken,
    mediaTtlSeconds: 3600,
    videoBytes: undefined,
    neverStarts: false,
    immediate: false,
    ...given
  }
  if (!['success', 'failed', 'cancelled'].includes(plan.outcome)) {
    throw new RangeError(`unknown outcome ${plan.outcome}`)
  }
  const reasonPlaces = [
    'error',
    'error_message',
    'outcome.error',
    'outcome.error_message',
    'outcome.message',
    'outcome.fail_reason',
    'outcome.status'
  ]
  if (!reasonPlaces.includes(plan.reasonAt))
    throw new RangeError(`unknown reasonAt ${plan.reasonAt}`)
  if (!['media_urls', 'video_url', 'medias', 'output'].includes(plan.videoUrlField)) {
    throw new RangeError(`unknown videoUrlField ${plan.videoUrlField}`)
  }
  if (!(plan.thumbnailFormat in THUMBNAILS)) {
    throw new RangeError(`unknown thumbnailFormat ${plan.thumbnailFormat}`)
  }
  if (
    plan.videoBytes !== undefined &&
    !(Number.isInteger(plan.videoBytes) && plan.videoBytes >= MIN_MP4_BYTES)
  ) {
    throw new RangeError(`videoBytes must be an integer of at least ${MIN_MP4_BYTES}`)
  }
  return plan
}

/**
 * The video files of a success: `video.mp4`, then `video-1.mp4`… for `extraMedia`.
 * @param {Plan} plan
 */
function videoFiles(plan) {
  return ['video.mp4', ...Array.from({ length: plan.extraMedia }, (_, i) => `video-${i + 1}.mp4`)]
}

/** @param {string} file */
function media(file) {
  return readFileSync(new URL(`./media/${file}`, import.meta.url))
}

/** @param {Record<string, unknown>} payload */
function spokenWords(payload) {
  const scenes = Array.isArray(payload.video_inputs) ? payload.video_inputs : []
  return scenes.reduce((words, scene) => {
    const text = scene?.voice?.type === 'text' ? scene.voice.input_text : undefined
    return typeof text === 'string' ? words + text.split(/\s+/).filter(Boolean).length : words
  }, 0)
}

/**
 * Lays out the request's life once; its status at any moment is then a lookup, so no timer runs.
 * @param {string} model
 * @param {Record<string, unknown>} payload
 * @param {Plan} plan
 * @param {number} submittedAt
 * @param {number} timeScale
 * @returns {RequestRecord}
 */
function createRecord(model, payload, plan, submittedAt, timeScale) {
  /** @type {Array<[string, number]>} */
  const steps = [
    ['created', plan.createdSeconds],
    ['queued', plan.neverStarts ? Infinity : plan.queuedSeconds],
    ['dispatched', plan.dispatchedSeconds],
    ['processing', plan.processingSeconds]
  ]
  let endsAt = submittedAt
  const phases = []
  for (const [status, seconds] of plan.immediate ? [] : steps) {
    if (seconds <= 0) continue
    endsAt += seconds * timeScale * 1000
    phases.push({ status, endsAt })
  }
  return {
    request_id: randomUUID(),
    model,
    payload,
    plan,
    submittedAt,
    phases,
    endedAt: endsAt,
    polls: 0
  }
}

/**
 * @param {RequestRecord} record
 * @param {number} now
 * @returns {{ status: string, since: number }} the status and when it began
 */
function phaseAt(record, now) {
  let since = record.submittedAt
  for (const phase of record.phases) {
    if (now < phase.endsAt) return { status: phase.status, since }
    since = phase.endsAt
  }
  return { status: record.plan.outcome, since }
}

/**
 * @param {RequestRecord} record
 * @param {number} since when the current status began
 */
function timestamps(record, since) {
  const created = Math.floor(record.submittedAt / 1000)
  return { created_at: created, updated_at: Math.floor(since / 1000), queued_at: created }
}

/**
 * The light check HeyGen makes upstream; returns what is wrong, if anything.
 * @param {Record<string, unknown>} payload
 * @returns {string | undefined}
 */
function avatarPayloadProblem(payload) {
  const scenes = payload.video_inputs
  if (!Array.isArray(scenes) || scenes.length === 0) return 'video_inputs must be a non-empty array'
  if (scenes.length > 50) return 'video_inputs allows at most 50 scenes'
  for (const [index, scene] of scenes.entries()) {
    const at = `video_inputs[${index}]`
    const character = isObject(scene) ? scene.character : undefined
    const voice = isObject(scene) ? scene.voice : undefined
    if (!isObject(character) || !['avatar', 'talking_photo'].includes(String(character.type))) {
      return `${at}.character.type must be avatar or talking_photo`
    }
    if (typeof character.avatar_id !== 'string' || character.avatar_id === '') {
      return `${at}.character.avatar_id is required`
    }
    if (!isObject(voice) || !['text', 'audio', 'silence'].includes(String(voice.type))) {
      return `${at}.voice.type must be text, audio or silence`
    }
    if (voice.type !== 'text') continue
    if (typeof voice.input_text !== 'string' || voice.input_text === '') {
      return `${at}.voice.input_text is required`
    }
    if (voice.input_text.length > 5000) return `${at}.voice.input_text exceeds 5000 characters`
    if (typeof voice.voice_id !== 'string' || voice.voice_id === '') {
      return `${at}.voice.voice_id is required`
    }
  }
  return undefined
}

/**
 * The video body: the real fixture, or a structurally valid MP4 of exactly `bytes`, streamed
 * from one zero-filled buffer so that large bodies are never held in memory.
 * @param {number | undefined} bytes
 * @returns {{ length: number, open: () => Buffer | Readable }}
 */
export function videoBody(bytes) {
  if (bytes === undefined || bytes === VIDEO.length)
    return { length: VIDEO.length, open: () => VIDEO }
  // Padding after the fixture keeps it playable; below that size only a bare ftyp box fits.
  const head =
    bytes >= VIDEO.length + 8
      ? VIDEO
      : Buffer.concat([boxHeader('ftyp', 20), Buffer.from('isom\0\0\0\0isom')])
  return {
    length: bytes,
    open: () => Readable.from(paddedMp4(head, bytes - head.length), { objectMode: false })
  }
}

/**
 * @param {Buffer} head
 * @param {number} padding size of the trailing `free` box, header included
 */
function* paddedMp4(head, padding) {
  yield head
  const header = boxHeader('free', padding)
  yield header
  for (let left = padding - header.length; left > 0; left -= ZEROS.length) {
    yield left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left)
  }
}

/**
 * An ISO-BMFF box header; sizes past 32 bits use the 64-bit `largesize` form.
 * @param {string} type
 * @param {number} size the whole box, header included
 */
function boxHeader(type, size) {
  if (size <= 0xffffffff) {
    const header = Buffer.alloc(8)
    header.writeUInt32BE(size, 0)
    header.write(type, 4, 'latin1')
    return header
  }
  const header = Buffer.alloc(16)
  header.writeUInt32BE(1, 0)
  header.write(type, 4, 'latin1')
  header.writeBigUInt64BE(BigInt(size), 8)
  return header
}

/**
 * Decides, call after call, whether an API call fails and with which status.
 * @param {FaultRate} faultRate
 * @param {number} timeScale
 * @returns {() => Fault | undefined}
 */
function faultDrawer(faultRate, timeScale) {
  const { rate, statuses = [500, 502, 503, 429], retryAfterSeconds = 1, seed = 1 } = faultRate
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`faultRate.rate ${rate} is not in 0 – 1`)
  if (statuses.length === 0) throw new RangeError('faultRate.statuses is empty')
  const random = seededRandom(seed)
  const retryAfter = String(Math.round(retryAfterSeconds * timeScale * 1000) / 1000)
  return () => {
    if (random() >= rate) return undefined
    const status = statuses[Math.floor(random() * statuses.length)] ?? 500
    return status === 429 ? { status, headers: { 'Retry-After': retryAfter } } : { status }
  }
}

/**
 * Mulberry32: a small, fast generator of numbers in [0, 1), the same sequence for the same seed.
 * @param {number} seed
 */
function seededRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * @param {Fault} fault
 */
function isCanned(fault) {
  return fault.status !== undefined || fault.body !== undefined || fault.bodyText !== undefined
}

/**
 * @param {Fault} fault
 * @returns {Reply}
 */
function cannedReply(fault) {
  const status = fault.status ?? 500
  if (fault.bodyText === undefined)
    return json(status, fault.body ?? { error: STATUS_CODES[status] })
  // Malformed JSON still claims to be JSON; an HTML error page from a proxy says so.
  const type = fault.bodyText.trimStart().startsWith('<')
    ? 'text/html; charset=utf-8'
    : 'application/json'
  return { status, headers: { 'Content-Type': type }, body: Buffer.from(fault.bodyText) }
}

/**
 * @param {string} location
 * @returns {Reply}
 */
function redirect(location) {
  return { status: 302, headers: { Location: location }, body: Buffer.alloc(0) }
}

/**
 * @param {number} status
 * @param {unknown} value
 * @returns {Reply}
 */
function json(status, value) {
  return {
    status,
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify(value))
  }
}

/**
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @returns {Reply}
 */
function storageError(status, code, message) {
  const xml =
    `<?xml version='1.0' encoding='UTF-8'?>` +
    `<Error><Code>${code}</Code><Message>${message}</Message></Error>`
  return {
    status,
    headers: { 'Content-Type': 'application/xml; charset=UTF-8' },
    body: Buffer.from(xml)
  }
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {Reply} reply
 */
function send(res, { status, headers, body }) {
  if (Buffer.isBuffer(body)) headers['Content-Length'] ??= body.length
  res.writeHead(status, headers)
  if (body instanceof Readable) pipeline(body, res, () => {})
  else res.end(body)
}

/**
 * Answers nothing: the client sees its connection reset.
 * @param {import('node:http').ServerResponse} res
 * @param {{ status: number | undefined }} entry
 */
function drop(res, entry) {
  entry.status = 0
  res.socket?.destroy()
}

/**
 * @template {{ status: number | undefined }} T
 * @param {T[]} log
 * @param {T} entry
 */
function logged(log, entry) {
  log.push(entry)
  return entry
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<string>}
 */
async function readBody(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {string} name
 */
function header(req, name) {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// `node stand-ins/request-queue.js [--port N] [--time-scale S] [--api-key K]` for manual poking.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = (/** @type {string} */ name) => {
    const index = process.argv.indexOf(`--${name}`)
    return index === -1 ? undefined : process.argv[index + 1]
  }
  const sim = await startRequestQueue({
    port: Number(flag('port') ?? 0),
    timeScale: Number(flag('time-scale') ?? 1),
    apiKey: flag('api-key')
  })
  console.log(sim.url)
  const stop = () => void sim.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
