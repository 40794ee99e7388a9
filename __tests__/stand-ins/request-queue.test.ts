// The request-queue simulator over real HTTP: the documented lifecycle, the behaviour seen in the
// wild, signed media, and every kind of injected fault the end-to-end tests rely on.
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  startRequestQueue,
  type RequestQueueSim,
  type SimOptions
} from '../../stand-ins/request-queue.js'

const API = '/api/v1/ie/requestqueue/apikey'
const MODEL = 'heygen-avatar-4'
const AUTH = { Authorization: 'Bearer sim-key' }
const VIDEO_FIXTURE = readFileSync(new URL('../../stand-ins/media/video.mp4', import.meta.url))
const TERMINAL = ['success', 'failed', 'cancelled']

interface Outcome {
  media_urls?: { id: string; url: string }[]
  video_url?: string
  thumbnail_image_url?: string
  duration?: number
  [reason: string]: unknown
}

interface StatusAnswer {
  request_id: string
  model: string
  status: string
  payload?: unknown
  outcome: Outcome | null
  created_at: number
  updated_at: number
  queued_at: number
  [field: string]: unknown
}

interface Init {
  method?: string
  body?: string
  headers?: Record<string, string>
  signal?: AbortSignal
}

let sim: RequestQueueSim | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function start(options: SimOptions = {}): Promise<RequestQueueSim> {
  sim = await startRequestQueue({ timeScale: 0.01, ...options })
  return sim
}

function current(): RequestQueueSim {
  if (!sim) throw new Error('start the simulator first')
  return sim
}

function call(path: string, init: Init = {}): Promise<Response> {
  return fetch(current().url + path, { ...init, headers: { ...AUTH, ...init.headers } })
}

function payload(text = 'Hello from the request queue simulator'): Record<string, unknown> {
  return {
    video_inputs: [
      {
        character: { type: 'avatar', avatar_id: 'Daisy-inskirt-20220818' },
        voice: { type: 'text', input_text: text, voice_id: '2d5b0e6cf36f460aa7fc47e3eee4ba54' }
      }
    ]
  }
}

function submit(body: unknown = { model: MODEL, payload: payload() }, init: Init = {}) {
  return call(`${API}/requests`, { method: 'POST', body: JSON.stringify(body), ...init })
}

async function submitted(body?: unknown): Promise<StatusAnswer> {
  const res = await submit(body)
  expect(res.status).toBe(200)
  return (await res.json()) as StatusAnswer
}

async function status(id: string): Promise<StatusAnswer> {
  const res = await call(`${API}/requests/${id}`)
  expect(res.status).toBe(200)
  return (await res.json()) as StatusAnswer
}

/**
 * A clock the test moves: each status of a request is seen at the simulated second it is due,
 * without waiting, however busy the machine.
 */
function steppedClock() {
  let now = Date.now()
  return { now: () => now, step: (ms: number) => (now += ms) }
}

/** Waits until `done()` holds, for at most 10 s; then fails saying what never happened. */
async function until(done: () => boolean, never: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!done()) {
    if (Date.now() > deadline) throw new Error(never)
    await sleep(10)
  }
}

/**
 * Polls until the request ends; returns each status seen once, in order, and the last answer.
 * With `step`, the clock is moved between polls instead of waiting.
 */
async function followToEnd(
  id: string,
  step?: () => void
): Promise<{ seen: string[]; last: StatusAnswer }> {
  const seen: string[] = []
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    const answer = await status(id)
    if (seen.at(-1) !== answer.status) seen.push(answer.status)
    if (TERMINAL.includes(answer.status)) return { seen, last: answer }
    if (step) step()
    else await sleep(10)
  }
  throw new Error(`request ${id} did not end; statuses seen: ${seen.join(', ')}`)
}

function videoUrl(answer: StatusAnswer): string {
  const url = answer.outcome?.media_urls?.[0]?.url
  if (!url) throw new Error(`no video URL in ${JSON.stringify(answer)}`)
  return url
}

async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers })
  return { res, bytes: Buffer.from(await res.arrayBuffer()) }
}

describe('request lifecycle', () => {
  it('goes from queued through processing to success with downloadable media', async () => {
    const clock = steppedClock()
    await start({ clock: clock.now, plan: () => ({ queuedSeconds: 2, processingSeconds: 2 }) })

    const answer = await submitted()
    expect(answer).toEqual({
      request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/),
      model: MODEL,
      status: 'queued',
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
      queued_at: expect.any(Number)
    })
    // A simulated second (10 ms at the default time scale) between polls.
    const { seen, last } = await followToEnd(answer.request_id, () => clock.step(10))
    expect(seen).toEqual(['queued', 'processing', 'success'])
    expect(last).toMatchObject({
      request_id: answer.request_id,
      org_id: expect.any(String),
      model: MODEL,
      is_public: false,
      payload: payload(),
      outcome: {
        media_urls: [{ id: '0', url: expect.stringContaining(current().url) }],
        thumbnail_image_url: expect.stringContaining('thumbnail.jpg'),
        duration: expect.any(Number)
      }
    })

    const video = await download(videoUrl(last))
    expect(video.res.status).toBe(200)
    expect(video.res.headers.get('content-type')).toBe('video/mp4')
    expect(video.res.headers.get('content-length')).toBe(String(VIDEO_FIXTURE.length))
    expect(video.bytes.equals(VIDEO_FIXTURE)).toBe(true)
    expect(video.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp')

    const thumbnail = await download(String(last.outcome?.thumbnail_image_url))
    expect(thumbnail.res.headers.get('content-type')).toBe('image/jpeg')
    expect(thumbnail.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    const statusGets = current().calls.filter(c => c.path.endsWith(answer.request_id))
    expect(current().requests[0]).toMatchObject({ status: 'success', polls: statusGets.length })
  })

  it('estimates the render time and duration from the words spoken', async () => {
    await start()
    const words = Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ')
    await submitted({ model: MODEL, payload: payload(words) })
    expect(current().requests[0]?.plan).toMatchObject({ processingSeconds: 20, duration: 20 })
  })

  it('reports the created and dispatched statuses seen in the wild if planned', async () => {
    const clock = steppedClock()
    await start({
      clock: clock.now,
      plan: () => ({ createdSeconds: 2, queuedSeconds: 2, dispatchedSeconds: 2 })
    })
    const answer = await submitted()
    expect(answer.status).toBe('created')
    const { seen } = await followToEnd(answer.request_id, () => clock.step(10))
    expect(seen).toEqual(['created', 'queued', 'dispatched', 'processing', 'success'])
  })

  it('can answer the submit with the terminal status already', async () => {
    await start({ plan: () => ({ immediate: true }) })
    const answer = await submitted()
    expect(answer.status).toBe('success')
    expect(answer.outcome?.media_urls).toHaveLength(1)
  })

  it('says to the millisecond when each request ends, for the bench to time what follows', async () => {
    const clock = steppedClock()
    await start({
      clock: clock.now,
      timeScale: 0.1,
      plan: (_payload, index) =>
        index === 0 ? { queuedSeconds: 2, processingSeconds: 2 } : { neverStarts: true }
    })
    const { request_id } = await submitted()
    await submitted()
    const [rendered, stuck] = current().requests
    const submittedAt = current().calls[0]?.at ?? NaN
    // 4 simulated seconds at 0.1 clock seconds each, from when the submit was handled.
    expect(rendered?.endedAt).toBe(submittedAt + 400)
    expect(stuck?.endedAt).toBe(Infinity)
    clock.step(400)
    expect((await status(request_id)).status).toBe('success')
  })

  it('keeps a request that never starts queued, with a null outcome', async () => {
    await start({ plan: () => ({ neverStarts: true }) })
    const { request_id } = await submitted()
    await sleep(100)
    expect(await status(request_id)).toMatchObject({ status: 'queued', outcome: null })
  })

  it('leaves the payload out of status answers when echoPayload is off', async () => {
    await start({ echoPayload: false, plan: () => ({ immediate: true }) })
    const { request_id } = await submitted()
    expect(await status(request_id)).not.toHaveProperty('payload')
  })

  it('applies a plan set after start to later requests', async () => {
    await start()
    await submitted()
    current().setPlan((_payload, index) => ({ outcome: 'failed', reason: `plan for #${index}` }))
    const { request_id } = await submitted()
    const { last } = await followToEnd(request_id)
    expect(last.outcome).toEqual({ fail_reason: 'plan for #1' })
    expect(current().requests.map(r => r.plan.outcome)).toEqual(['success', 'failed'])
  })

  it('answers 500 naming the problem when a plan cannot be honoured', async () => {
    await start({ plan: () => ({ videoBytes: 3 }) })
    const res = await submit()
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: expect.stringContaining('videoBytes') })
    expect(current().billable).toBe(0)
  })
})

describe('failed and cancelled requests', () => {
  it.each([
    ['error', (a: StatusAnswer) => a.error],
    ['error_message', (a: StatusAnswer) => a.error_message],
    ['outcome.error', (a: StatusAnswer) => a.outcome?.error],
    ['outcome.error_message', (a: StatusAnswer) => a.outcome?.error_message],
    ['outcome.message', (a: StatusAnswer) => a.outcome?.message],
    ['outcome.fail_reason', (a: StatusAnswer) => a.outcome?.fail_reason],
    ['outcome.status', (a: StatusAnswer) => a.outcome?.status]
  ] as const)('puts the failure reason at %s', async (reasonAt, read) => {
    await start({ plan: () => ({ outcome: 'failed', reason: 'rate limit exceeded', reasonAt }) })
    const { request_id } = await submitted()
    const { last } = await followToEnd(request_id)
    expect(last.status).toBe('failed')
    expect(read(last)).toBe('rate limit exceeded')
    const anywhere = JSON.stringify(last).split('rate limit exceeded').length - 1
    expect(anywhere).toBe(1)
  })

  it('ends a cancelled request with its reason and no media', async () => {
    await start({ plan: () => ({ outcome: 'cancelled' }) })
    const { request_id } = await submitted()
    const { last } = await followToEnd(request_id)
    expect(last).toMatchObject({
      status: 'cancelled',
      outcome: { fail_reason: 'request cancelled' }
    })
  })

  it('can fail without giving any reason', async () => {
    await start({ plan: () => ({ outcome: 'failed', reason: null }) })
    const { request_id } = await submitted()
    const { last } = await followToEnd(request_id)
    expect(last).toMatchObject({ status: 'failed', outcome: null })
    expect(last).not.toHaveProperty('error')
    expect(last).not.toHaveProperty('error_message')
  })

  it('can put the video at outcome.video_url, or succeed with no video at all', async () => {
    await start({
      plan: (_p, index) => (index === 0 ? { videoUrlField: 'video_url' } : { omitMedia: true })
    })
    const first = await followToEnd((await submitted()).request_id)
    const second = await followToEnd((await submitted()).request_id)

    expect(first.last.outcome).not.toHaveProperty('media_urls')
    const video = await download(String(first.last.outcome?.video_url))
    expect(video.res.status).toBe(200)
    expect(second.last.outcome).not.toHaveProperty('media_urls')
    expect(second.last.outcome).not.toHaveProperty('video_url')
    expect(second.last.outcome?.thumbnail_image_url).toEqual(expect.any(String))
  })
})

describe('auth, models and lookups', () => {
  it('rejects a missing or wrong API key with 401 and never records the key', async () => {
    await start()
    const missing = await fetch(`${current().url}${API}/requests`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, payload: payload() })
    })
    const wrong = await submit(undefined, { headers: { Authorization: 'Bearer nope' } })
    expect([missing.status, wrong.status]).toEqual([401, 401])
    expect(await wrong.json()).toEqual({ error: 'invalid api key' })
    expect(current().billable).toBe(0)
    expect(current().calls.map(c => c.authorization)).toEqual([false, true])
    expect(JSON.stringify(current().calls)).not.toContain('nope')
  })

  it('answers 403 to a different organization and accepts its own', async () => {
    await start({ organizationId: 'org-a' })
    const other = await submit(undefined, { headers: { 'X-Organization-ID': 'org-b' } })
    const own = await submit(undefined, { headers: { 'X-Organization-ID': 'org-a' } })
    expect([other.status, own.status]).toEqual([403, 200])
    expect(current().calls.map(c => c.organization)).toEqual(['org-b', 'org-a'])
  })

  it('knows model ids case-sensitively, on submit and on the model endpoint', async () => {
    await start()
    const unknown = await submit({ model: 'HeyGen-Avatar-4', payload: payload() })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({
      error: { message: 'model not found', details: expect.any(String) }
    })
    expect((await call(`${API}/models/heygen-avatar-v4`)).status).toBe(404)

    const known = await call(`${API}/models/${MODEL}`)
    expect(known.status).toBe(200)
    expect(await known.json()).toMatchObject({ model_id: MODEL, status: 'active' })
    expect(current().billable).toBe(0)
  })

  it('answers 404 for an unknown request id', async () => {
    await start()
    const res = await call(`${API}/requests/00000000-0000-4000-8000-000000000000`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'request not found' })
  })

  it('lists the requests of one model, newest first', async () => {
    // Time stands still: the newest request is still queued when listed.
    await start({ models: [MODEL, 'other-model'], clock: steppedClock().now })
    const first = await submitted()
    await submitted({ model: 'other-model', payload: { anything: true } })
    const third = await submitted()

    const res = await call(`${API}/requests?model_id=${MODEL}`)
    const list = (await res.json()) as { requests: StatusAnswer[]; total: number }
    expect(list.total).toBe(2)
    expect(list.requests.map(r => r.request_id)).toEqual([third.request_id, first.request_id])
    expect(list.requests[0]).toMatchObject({ model: MODEL, status: 'queued', payload: payload() })
    expect(current().calls.at(-1)?.query).toEqual({ model_id: MODEL })
  })
})

describe('how the live queue has been seen to answer (request-queue.md, evidence)', () => {
  const list = async (query = '') =>
    (await (await call(`${API}/requests?model_id=${MODEL}${query}`)).json()) as {
      requests: StatusAnswer[]
      [field: string]: unknown
    }

  it('lists the models the key can use, and each model details its parameters', async () => {
    await start({ models: ['heygen-avatar-v4', 'kling-v2'] })

    const models = await call(`${API}/models`)
    expect(await models.json()).toEqual({
      models: [
        { model_id: 'heygen-avatar-v4', type: 'video-generation' },
        { model_id: 'kling-v2', type: 'video-generation' }
      ],
      total: 2
    })
    const v4 = (await (await call(`${API}/models/heygen-avatar-v4`)).json()) as {
      parameters: { name: string }[]
    }
    expect(v4.parameters.map(p => p.name)).toEqual(['video_inputs', 'dimension', 'duration'])
    expect(await (await call(`${API}/models/kling-v2`)).json()).not.toHaveProperty('parameters')
    expect((await call(`${API}/models/${MODEL}`)).status).toBe(404)
  })

  it('accepts a submission slowly: the request exists, billed, before the answer comes', async () => {
    await start({ timeScale: 0.1, plan: () => ({ acceptSeconds: 5 }) })
    const started = Date.now()

    let answered = false
    const answer = submit().finally(() => (answered = true))
    await until(() => current().billable === 1, 'the submission was never billed')
    expect(answered).toBe(false)
    const res = await answer

    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(490)
    expect(((await res.json()) as StatusAnswer).request_id).toBe(current().requests[0]!.request_id)
  })

  it('refuses submissions past the rate limit with a 429 and a long Retry-After, unbilled', async () => {
    await start({ rateLimit: { requests: 1 } })
    expect((await submit()).status).toBe(200)

    const refused = await submit()

    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('3600')
    expect(await refused.json()).toEqual({ error: 'rate limit exceeded(RPM)' })
    expect(current().billable).toBe(1)
  })

  it('lifts the rate limit when told, as the next hour would', async () => {
    await start({ rateLimit: { requests: 0, retryAfterSeconds: 0 } })
    const refused = await submit()
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, null])

    current().setRateLimit(undefined)

    expect((await submit()).status).toBe(200)
  })

  it('or accepts them and fails them at once for the rate limit', async () => {
    await start({ rateLimit: { requests: 1, as: 'failed' } })
    await submitted()

    const limited = await submitted()

    expect(limited).toMatchObject({
      status: 'failed',
      outcome: { fail_reason: 'rate limit exceeded(RPM)' }
    })
    expect(current().billable).toBe(2)
  })

  it('fails with an outcome of its own shape, and no reason field', async () => {
    const failedOutcome = { code: 'E_RENDER', detail: { stage: 'lipsync' } }
    await start({ plan: () => ({ outcome: 'failed', failedOutcome, immediate: true }) })

    expect((await submitted()).outcome).toEqual(failedOutcome)
  })

  it.each([
    ['medias', (o: Outcome) => (o.medias as { url: string }[]).map(m => m.url)],
    ['media_urls', (o: Outcome) => o.media_urls!.map(m => m.url)]
  ] as const)('puts several videos in %s, each downloadable', async (videoUrlField, urls) => {
    await start({ plan: () => ({ videoUrlField, extraMedia: 1, immediate: true }) })

    const outcome = (await submitted()).outcome!
    const [video, captioned] = urls(outcome)

    expect(video).toMatch(/\/video\.mp4\?expires=\d+&sig=[0-9a-f]{64}$/)
    expect(captioned).toMatch(/\/video-1\.mp4\?/)
    for (const url of [video!, captioned!]) {
      const { res, bytes } = await download(url)
      expect([res.status, bytes.subarray(4, 8).toString('latin1')]).toEqual([200, 'ftyp'])
    }
  })

  it('can put the video where no client looks', async () => {
    await start({ plan: () => ({ videoUrlField: 'output', immediate: true }) })
    const outcome = (await submitted()).outcome!
    expect(Object.keys(outcome).sort()).toEqual(['duration', 'output', 'thumbnail_image_url'])
  })

  it.each([
    ['png', 'image/png', '89504e470d0a1a0a'],
    ['webp', 'image/webp', '52494646']
  ] as const)('serves a %s thumbnail as such', async (thumbnailFormat, type, magic) => {
    await start({ plan: () => ({ thumbnailFormat, immediate: true }) })
    const url = String((await submitted()).outcome!.thumbnail_image_url)

    const { res, bytes } = await download(url)

    expect(url).toContain(`/thumbnail.${thumbnailFormat}?`)
    expect(res.headers.get('content-type')).toBe(type)
    expect(bytes.toString('hex')).toMatch(new RegExp(`^${magic}`))
  })

  it('answers 404 for a request just created, and leaves it out of the list, for a while', async () => {
    const clock = steppedClock()
    await start({ clock: clock.now, timeScale: 0.1, plan: () => ({ hiddenSeconds: 3 }) })
    const { request_id } = await submitted()

    expect((await call(`${API}/requests/${request_id}`)).status).toBe(404)
    expect((await list()).requests).toEqual([])
    clock.step(300)
    expect((await status(request_id)).request_id).toBe(request_id)
    expect((await list()).requests.map(r => r.request_id)).toEqual([request_id])
  })

  it('shows a page of the list with the total, and no way to the rest', async () => {
    await start({ listPageSize: 2 })
    for (const words of ['one', 'two', 'three'])
      await submitted({ model: MODEL, payload: payload(words) })

    const page = await list()

    expect(page.requests).toHaveLength(2)
    expect(page).toEqual({ requests: expect.any(Array), total: 3 })
  })

  it('pages the list by page number, or by a token, when asked to', async () => {
    await start({ listPageSize: 2, listPaging: 'page' })
    const ids = []
    for (const words of ['one', 'two', 'three'])
      ids.unshift((await submitted({ model: MODEL, payload: payload(words) })).request_id)

    const first = await list()
    const second = await list('&page=2&page_size=2')

    expect(first).toMatchObject({ page: 1, page_size: 2, total: 3, total_pages: 2 })
    expect([...first.requests, ...second.requests].map(r => r.request_id)).toEqual(ids)

    await current().close()
    await start({ listPageSize: 2, listPaging: 'cursor' })
    for (const words of ['one', 'two', 'three'])
      await submitted({ model: MODEL, payload: payload(words) })
    const head = await list()
    const rest = await list(`&page_token=${String(head.next_page_token)}`)
    expect(head).toMatchObject({ total: 3, next_page_token: '2' })
    expect(rest.requests).toHaveLength(1)
    expect(rest).not.toHaveProperty('next_page_token')
  })

  it('lists requests without their outcome, or with nothing but their ids, when told to', async () => {
    await start({ listShows: 'no-outcome', plan: () => ({ immediate: true }) })
    const { request_id } = await submitted()
    const [bare] = (await list()).requests
    expect(bare).toMatchObject({ request_id, status: 'success' })
    expect(bare).not.toHaveProperty('outcome')

    await current().close()
    await start({ listShows: 'ids', plan: () => ({ immediate: true }) })
    const { request_id: id } = await submitted()
    expect((await list()).requests).toEqual([
      { request_id: id, created_at: expect.any(Number), updated_at: expect.any(Number) }
    ])
  })

  it('shows a setup check an account whose list hides payloads', async () => {
    // A long queued phase: the request is still queued when listed, on a busy machine too.
    await start({ echoPayload: false, plan: () => ({ queuedSeconds: 1000 }) })
    expect((await list()).requests).toEqual([])
    await submitted()
    const [listed] = (await list()).requests
    expect(listed).toMatchObject({ model: MODEL, status: 'queued' })
    expect(listed).not.toHaveProperty('payload')
  })
})

describe('submit validation', () => {
  it.each([
    ['malformed JSON', '{"model": '],
    ['no payload', JSON.stringify({ model: MODEL })],
    ['a payload that is not an object', JSON.stringify({ model: MODEL, payload: [1] })]
  ])('answers 400 to %s, unbilled', async (_case, body) => {
    await start()
    const res = await call(`${API}/requests`, { method: 'POST', body })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: expect.any(String) })
    expect(current().billable).toBe(0)
  })

  const scene = (payload().video_inputs as Record<string, Record<string, unknown>>[])[0]!
  it.each([
    ['no scenes', { video_inputs: [] }, 'video_inputs'],
    ['no avatar', { video_inputs: [{ ...scene, character: { type: 'avatar' } }] }, 'avatar_id'],
    [
      'a text voice without voice_id',
      { video_inputs: [{ ...scene, voice: { type: 'text', input_text: 'Hi' } }] },
      'voice_id'
    ],
    ['a scene over 5000 characters', payload('a'.repeat(5001)), '5000']
  ])(
    'answers the upstream 500 "Backend error (400)" to %s, unbilled',
    async (_case, body, what) => {
      await start()
      const res = await submit({ model: MODEL, payload: body })
      expect(res.status).toBe(500)
      expect(await res.json()).toEqual({
        error: expect.stringMatching(new RegExp(`^Backend error \\(400\\): .*${what}`))
      })
      expect(current().billable).toBe(0)
    }
  )

  it('passes audio and silence scenes and undocumented keys through', async () => {
    await start()
    const res = await submit({
      model: MODEL,
      payload: {
        video_inputs: [
          { ...scene, voice: { type: 'audio', audio_url: 'https://example.com/a.mp3' } },
          { ...scene, voice: { type: 'silence', duration: 2 } }
        ],
        background: { type: 'color', value: '#ffffff' }
      }
    })
    expect(res.status).toBe(200)
  })
})

describe('injected faults', () => {
  it('answers an injected status and headers `times` times, then normally', async () => {
    await start()
    current().inject({
      method: 'POST',
      status: 429,
      body: { error: 'rate limited' },
      headers: { 'Retry-After': '2' },
      times: 2
    })
    const answers = [await submit(), await submit(), await submit()]
    expect(answers.map(r => r.status)).toEqual([429, 429, 200])
    expect(answers[0]?.headers.get('retry-after')).toBe('2')
    expect(await answers[0]?.json()).toEqual({ error: 'rate limited' })
    expect(current().billable).toBe(1)
    expect(current().calls.map(c => c.status)).toEqual([429, 429, 200])
  })

  it('matches faults by method and path, in order', async () => {
    await start()
    current().inject({ method: 'GET', path: /\/requests\/[^/]+$/, status: 503 })
    current().inject({ path: '/models/', status: 402, body: { error: 'insufficient balance' } })
    const { request_id } = await submitted()
    expect((await call(`${API}/models/${MODEL}`)).status).toBe(402)
    expect((await call(`${API}/requests/${request_id}`)).status).toBe(503)
    expect((await call(`${API}/requests/${request_id}`)).status).toBe(200)
  })

  it('resets the connection without an answer', async () => {
    await start()
    current().inject({ reset: true })
    await expect(submit()).rejects.toThrow()
    expect(current().billable).toBe(0)
    expect(current().calls[0]?.status).toBe(0)
    expect((await submit()).status).toBe(200)
  })

  it('bills an ambiguous submit that the client never hears back from', async () => {
    await start()
    current().inject({ method: 'POST', ambiguous: true })
    await expect(submit()).rejects.toThrow()
    expect(current().billable).toBe(1)

    const list = await (await call(`${API}/requests?model_id=${MODEL}`)).json()
    expect(list).toMatchObject({ total: 1 })
  })

  it('serves malformed JSON and HTML error pages as given', async () => {
    await start()
    current().inject({ status: 200, bodyText: '{"request_id": "abc", ' })
    current().inject({ status: 502, bodyText: '<html><body>Bad Gateway</body></html>' })
    const malformed = await submit()
    expect(malformed.status).toBe(200)
    await expect(malformed.json()).rejects.toThrow()
    const html = await submit()
    expect(html.status).toBe(502)
    expect(html.headers.get('content-type')).toContain('text/html')
    expect(await html.text()).toContain('Bad Gateway')
  })

  it('delays the normal answer', async () => {
    await start()
    const { request_id } = await submitted()
    current().inject({ method: 'GET', delayMs: 300 })
    const began = Date.now()
    const res = await call(`${API}/requests/${request_id}`)
    expect(Date.now() - began).toBeGreaterThanOrEqual(290)
    expect(res.status).toBe(200)
  })

  it('still bills a slow submit after the client gave up waiting', async () => {
    await start()
    current().inject({ method: 'POST', delayMs: 500 })
    const client = new AbortController()
    const submitting = submit(undefined, { signal: client.signal })
    // The client gives up once the simulator has the request, while the answer is delayed.
    await until(() => current().calls.length > 0, 'the simulator never received the submit')
    client.abort()
    await expect(submitting).rejects.toThrow()
    expect(current().billable).toBe(0)
    await until(() => current().billable > 0, 'the abandoned submit was never billed')
    expect(current().billable).toBe(1)
  })

  it('leaves media downloads alone unless a fault names their path', async () => {
    await start({ plan: () => ({ immediate: true }) })
    const url = videoUrl(await submitted())
    current().inject({ status: 500 })
    expect((await download(url)).res.status).toBe(200)
    current().inject({ path: '/media/', reset: true })
    await expect(download(url)).rejects.toThrow()
    expect(current().mediaFetches.map(f => f.status)).toEqual([200, 0])
  })

  it('closes promptly while an answer is still delayed', async () => {
    await start()
    current().inject({ delayMs: 60_000 })
    const pending = submit().catch(() => 'cut off')
    await sleep(50)
    const began = Date.now()
    await current().close()
    sim = undefined
    // The answer is a minute away.
    expect(Date.now() - began).toBeLessThan(5000)
    expect(await pending).toBe('cut off')
  })
})

describe('random faults', () => {
  /** The status of `count` model lookups in a row. */
  async function lookups(count: number): Promise<number[]> {
    const statuses = []
    for (let i = 0; i < count; i++) statuses.push((await call(`${API}/models/${MODEL}`)).status)
    return statuses
  }

  it('fails about the given share of API calls with the given statuses, the same for a seed', async () => {
    const faultRate = { rate: 0.2, statuses: [502, 429], seed: 7 }
    await start({ faultRate })
    const first = await lookups(200)
    await current().close()
    await start({ faultRate })
    const again = await lookups(200)

    const failed = first.filter(status => status !== 200)
    expect(failed.length).toBeGreaterThan(20)
    expect(failed.length).toBeLessThan(60)
    expect(new Set(failed)).toEqual(new Set([502, 429]))
    expect(again).toEqual(first)
    expect(current().calls.map(c => c.status)).toEqual(first)
  })

  it('asks a rate-limited client to wait a scaled Retry-After', async () => {
    await start({ timeScale: 0.01, faultRate: { rate: 1, statuses: [429], retryAfterSeconds: 2 } })
    const res = await submit()
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('0.02')
    expect(await res.json()).toEqual({ error: 'Too Many Requests' })
  })

  it('bills only the submits that were answered, and never fails a media download', async () => {
    await start({ plan: () => ({ immediate: true }), faultRate: { rate: 0.5, seed: 3 } })
    const answers = []
    for (let i = 0; i < 20; i++) answers.push(await submit())
    const accepted = answers.filter(res => res.status === 200)
    expect(accepted.length).toBeGreaterThan(0)
    expect(accepted.length).toBeLessThan(20)
    expect(current().billable).toBe(accepted.length)

    const url = videoUrl((await accepted[0]!.json()) as StatusAnswer)
    const downloads = []
    for (let i = 0; i < 20; i++) downloads.push((await download(url)).res.status)
    expect(downloads).toEqual(Array(20).fill(200))
  })

  it('lets an injected fault go first', async () => {
    await start({ faultRate: { rate: 1, statuses: [503] } })
    current().inject({ status: 402, body: { error: 'insufficient balance' } })
    expect((await lookups(2)).join()).toBe('402,503')
  })
})

describe('media', () => {
  it('answers 401 to a download that carries an Authorization header', async () => {
    await start({ plan: () => ({ immediate: true }) })
    const url = videoUrl(await submitted())
    const { res, bytes } = await download(url, AUTH)
    expect(res.status).toBe(401)
    expect(bytes.toString()).toContain('<Error>')
    expect(current().mediaFetches).toEqual([
      { path: expect.stringMatching(/video\.mp4$/), status: 401, authorization: true }
    ])
  })

  it('answers 403 once a signed URL has expired, or when its signature is wrong', async () => {
    const clock = steppedClock()
    await start({ clock: clock.now, plan: () => ({ immediate: true, mediaTtlSeconds: 30 }) })
    const url = videoUrl(await submitted())
    expect((await download(url.replace(/sig=./, 'sig=x'))).res.status).toBe(403)
    expect((await download(url)).res.status).toBe(200)
    clock.step(301)
    const expired = await download(url)
    expect(expired.res.status).toBe(403)
    expect(expired.bytes.toString()).toContain('ExpiredToken')
  })

  it('expires every media URL issued so far on demand, but not later ones', async () => {
    const clock = steppedClock()
    await start({ clock: clock.now, plan: (_p, index) => ({ immediate: index === 0 }) })
    const early = videoUrl(await submitted())
    const later = await submitted()
    current().expireMedia()
    expect((await download(early)).res.status).toBe(403)
    const { last } = await followToEnd(later.request_id, () => clock.step(1000))
    expect((await download(videoUrl(last))).res.status).toBe(200)
  })

  it('streams a large video of exactly the planned size: fixture, then free box', async () => {
    const size = 5 * 1024 * 1024 + 3
    await start({ plan: () => ({ immediate: true, videoBytes: size }) })
    const { res, bytes } = await download(videoUrl(await submitted()))
    expect(res.headers.get('content-length')).toBe(String(size))
    expect(bytes.length).toBe(size)
    expect(bytes.subarray(0, VIDEO_FIXTURE.length).equals(VIDEO_FIXTURE)).toBe(true)
    const free = bytes.subarray(VIDEO_FIXTURE.length)
    expect(free.subarray(4, 8).toString('latin1')).toBe('free')
    expect(free.readUInt32BE(0)).toBe(free.length)
  })

  it('serves a video smaller than the fixture as a bare ftyp box and padding', async () => {
    await start({ plan: () => ({ immediate: true, videoBytes: 1000 }) })
    const { bytes } = await download(videoUrl(await submitted()))
    expect(bytes.length).toBe(1000)
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp')
    expect(bytes.readUInt32BE(bytes.readUInt32BE(0))).toBe(1000 - bytes.readUInt32BE(0))
  })

  it('streams a video over 4 GiB with a 64-bit box size, without building it first', async () => {
    const size = 5 * 1024 ** 3
    await start({ plan: () => ({ immediate: true, videoBytes: size }) })
    const res = await fetch(videoUrl(await submitted()))
    expect(res.headers.get('content-length')).toBe(String(size))

    const reader = res.body!.getReader()
    let head = Buffer.alloc(0)
    while (head.length < VIDEO_FIXTURE.length + 16) {
      const { value } = await reader.read()
      head = Buffer.concat([head, Buffer.from(value!)])
    }
    await reader.cancel()
    const free = head.subarray(VIDEO_FIXTURE.length)
    expect(free.readUInt32BE(0)).toBe(1)
    expect(free.subarray(4, 8).toString('latin1')).toBe('free')
    expect(free.readBigUInt64BE(8)).toBe(BigInt(size - VIDEO_FIXTURE.length))
  })

  describe('from a hostile host', () => {
    /** Reads `url` until `enough` bytes came, then hangs up; returns what came. */
    async function readSome(url: string, enough: number) {
      const res = await fetch(url)
      const reader = res.body!.getReader()
      let head = Buffer.alloc(0)
      while (head.length < enough) head = Buffer.concat([head, (await reader.read()).value!])
      await reader.cancel()
      return { res, head }
    }

    it('streams an endless video, with no length, until the client hangs up', async () => {
      await start({ plan: () => ({ immediate: true }) })
      const url = videoUrl(await submitted())
      current().inject({ path: '/video.mp4', endless: true })
      const { res, head } = await readSome(url, 3 * 1024 * 1024)
      expect(res.headers.get('content-length')).toBeNull()
      expect(head.subarray(4, 8).toString('latin1')).toBe('ftyp')
      await until(() => current().mediaFetches[0]?.hungUp === true, 'the hang-up was not seen')
      expect(current().mediaFetches[0]!.sent).toBeGreaterThanOrEqual(3 * 1024 * 1024)
    })

    it('drips a video one byte at a time', async () => {
      await start({ plan: () => ({ immediate: true }) })
      const url = videoUrl(await submitted())
      current().inject({ path: '/video.mp4', dripMs: 5 })
      const { head } = await readSome(url, 8)
      expect(head.subarray(4, 8).toString('latin1')).toBe('ftyp')
      await until(() => current().mediaFetches[0]?.hungUp === true, 'the hang-up was not seen')
      expect(current().mediaFetches[0]!.sent).toBeGreaterThanOrEqual(8)
    })

    it('redirects a download to another origin, its path and query kept', async () => {
      await start({ plan: () => ({ immediate: true }) })
      const url = videoUrl(await submitted())
      current().inject({ path: '/video.mp4', redirectTo: 'http://0.0.0.0:9' })
      const res = await fetch(url, { redirect: 'manual' })
      const { pathname, search } = new URL(url)
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toBe(`http://0.0.0.0:9${pathname}${search}`)
    })
  })
})
