// The request-queue client reads every answer shape seen in the wild: failure reasons wherever
// they sit, media under either field, statuses it does not know, and the list's wrapper.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createQueueClient, readRequest } from '../../src/queue/client.js'
import { QueueError } from '../../src/queue/http.js'
import { FAST, KEY, MODEL, clientFor, payload, startSim, type Sim } from './helpers.js'

let sim: Sim
afterEach(async () => sim?.close())

const settle = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe('reading a request', () => {
  it.each([
    'error',
    'error_message',
    'outcome.error',
    'outcome.error_message',
    'outcome.message',
    'outcome.fail_reason',
    'outcome.status'
  ] as const)('finds the failure reason in %s', async reasonAt => {
    sim = await startSim({
      plan: () => ({ outcome: 'failed', reason: 'avatar not found', reasonAt, immediate: true })
    })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload())

    expect(remote).toMatchObject({ status: 'failed', terminal: true, reason: 'avatar not found' })
  })

  it('cuts a failure reason of megabytes to a thousand characters, saying how much is missing', async () => {
    const reason = 'x'.repeat(2_000_000)
    sim = await startSim({ plan: () => ({ outcome: 'failed', reason, immediate: true }) })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload())

    expect(remote.reason).toBe(`${'x'.repeat(1000)}… (1999000 more characters)`)
  })

  it('reads the outcome of a success, from media_urls or video_url', async () => {
    sim = await startSim({
      plan: i => ({
        immediate: true,
        duration: 12.5,
        videoUrlField: i ? 'video_url' : 'media_urls'
      })
    })
    const { client } = clientFor(sim)

    for (const words of ['one', 'two']) {
      const remote = await client.submit(MODEL, payload(words))
      expect(remote).toMatchObject({
        status: 'success',
        terminal: true,
        duration: 12.5,
        reason: null
      })
      expect(remote.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\/[\w-]+\/video\.mp4\?/)
      expect(remote.thumbnailUrl).toMatch(/\/thumbnail\.jpg\?/)
    }
  })

  it('keeps an excerpt of an outcome that holds no reason it knows, cutting signed URLs short', async () => {
    const failedOutcome = {
      code: 'E_RENDER',
      preview: 'https://storage.example/p.mp4?X-Goog-Signature=abc123&Expires=9',
      status: 'failed'
    }
    sim = await startSim({ plan: () => ({ outcome: 'failed', failedOutcome, immediate: true }) })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload())

    expect(remote).toMatchObject({
      reason: null,
      outcomeKeys: ['code', 'preview', 'status'],
      outcomeExcerpt:
        '{"code":"E_RENDER","preview":"https://storage.example/p.mp4?…","status":"failed"}'
    })
  })

  it('keeps every video of an outcome, in media_urls or medias, the first as the video', async () => {
    sim = await startSim({
      plan: i => ({ immediate: true, extraMedia: 1, videoUrlField: i ? 'medias' : 'media_urls' })
    })
    const { client } = clientFor(sim)

    for (const words of ['one', 'two']) {
      const remote = await client.submit(MODEL, payload(words))
      expect(remote.mediaUrls).toEqual([
        expect.stringMatching(/\/video\.mp4\?/),
        expect.stringMatching(/\/video-1\.mp4\?/)
      ])
      expect(remote.videoUrl).toBe(remote.mediaUrls[0])
    }
  })

  it('finds no video where no client looks, and says which keys the outcome has', async () => {
    sim = await startSim({ plan: () => ({ immediate: true, videoUrlField: 'output' }) })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload())

    expect(remote).toMatchObject({ videoUrl: null, mediaUrls: [] })
    expect(remote.outcomeKeys).toEqual(['output', 'thumbnail_image_url', 'duration'])
  })

  it('keeps statuses it does not know, as not terminal', async () => {
    sim = await startSim({ plan: () => ({ createdSeconds: 1000 }) })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload())
    expect(remote).toMatchObject({ status: 'created', terminal: false, videoUrl: null })

    expect(readRequest({ request_id: 'r1', status: 'DISPATCHED' }, 'x')).toMatchObject({
      status: 'dispatched',
      terminal: false
    })
    expect(readRequest({ id: 'r2' }, 'x')).toMatchObject({ requestId: 'r2', status: 'unknown' })
  })

  it('rejects an answer without a request id, naming what it read', () => {
    expect(() => readRequest({ status: 'queued' }, 'the submit answer')).toThrow(
      new QueueError('the submit answer has no request_id', 200)
    )
  })

  it('lists the requests of a model, with their payloads', async () => {
    sim = await startSim()
    const { client } = clientFor(sim)
    const first = await client.submit(MODEL, payload('one'))
    await settle(5)
    const second = await client.submit(MODEL, payload('two'))

    const listed = await client.list(MODEL)

    expect(listed.requests.map(r => r.requestId)).toEqual([second.requestId, first.requestId])
    expect(listed.requests[1]!.payload).toEqual(payload('one'))
    expect(listed).toMatchObject({ total: 2, complete: true })
    expect(sim.calls.at(-1)!.query).toEqual({ model_id: MODEL })
  })

  it('follows the pages of the list by page number or token, and says when it saw them all', async () => {
    for (const listPaging of ['page', 'cursor'] as const) {
      sim = await startSim({ listPageSize: 2, listPaging })
      const { client } = clientFor(sim)
      for (const words of ['one', 'two', 'three', 'four', 'five']) {
        await client.submit(MODEL, payload(words))
      }

      const listed = await client.list(MODEL)

      expect(listed).toMatchObject({ total: 5, complete: true })
      expect(listed.requests.map(r => r.requestId).sort()).toEqual(
        sim.requests.map(r => r.request_id).sort()
      )
      expect(
        sim.calls.filter(c => c.path.endsWith('/requests') && c.method === 'GET')
      ).toHaveLength(3)
      await sim.close()
    }
  })

  it('says the list is incomplete when its total is larger and it names no way to the rest', async () => {
    sim = await startSim({ listPageSize: 2 })
    const { client } = clientFor(sim)
    for (const words of ['one', 'two', 'three']) await client.submit(MODEL, payload(words))

    const listed = await client.list(MODEL)

    expect(listed).toMatchObject({ total: 3, complete: false })
    expect(listed.requests).toHaveLength(2)
  })

  it('reads only the pages it is allowed to', async () => {
    sim = await startSim({ listPageSize: 1, listPaging: 'page' })
    const { client } = clientFor(sim)
    for (const words of ['one', 'two']) await client.submit(MODEL, payload(words))

    const listed = await client.list(MODEL, undefined, 1)

    expect(listed).toMatchObject({ total: 2, complete: false })
    expect(sim.calls.filter(c => c.method === 'GET')).toHaveLength(1)
  })

  it('lists the model ids the key can use', async () => {
    sim = await startSim({ models: ['heygen-avatar-v4', MODEL] })
    const { client } = clientFor(sim)
    expect(await client.models()).toEqual(['heygen-avatar-v4', MODEL])
  })

  it('reports a list answer without a requests array', async () => {
    sim = await startSim()
    sim.inject({ method: 'GET', path: /\/requests$/, status: 200, body: { items: [] } })
    const { client } = clientFor(sim)

    await expect(client.list(MODEL)).rejects.toThrow(
      'GET /api/v1/ie/requestqueue/apikey/requests: the request list has no "requests" array'
    )
  })
})

describe('what every call sends', () => {
  it('sends the key as a Bearer token and the organisation when set', async () => {
    sim = await startSim({ organizationId: 'org-7' })
    const { client } = clientFor(sim, { organizationId: 'org-7' })

    await client.modelInfo(MODEL)
    await client.submit(MODEL, payload())

    expect(sim.calls.map(c => [c.authorization, c.organization, c.status])).toEqual([
      [true, 'org-7', 200],
      [true, 'org-7', 200]
    ])
  })
})

describe('the debug trail', () => {
  it('tells the shape of every answer, never a media URL nor the key', async () => {
    sim = await startSim({ plan: () => ({ immediate: true, extraMedia: 1 }) })
    sim.inject({
      method: 'GET',
      path: /\/requests\/.+/,
      status: 503,
      headers: { 'Retry-After': '0' }
    })
    const lines: string[] = []
    const client = createQueueClient({
      apiUrl: sim.url,
      apiKey: KEY,
      policy: FAST,
      sleep: async () => {},
      observer: { onAnswer: line => lines.push(line) }
    })

    const { requestId } = await client.submit(MODEL, payload())
    await client.get(requestId)
    await client.list(MODEL)

    const path = '/api/v1/ie/requestqueue/apikey'
    expect(lines.map(line => line.replace(/ in \d+\.\d s/, ' in …'))).toEqual([
      `POST ${path}/requests → HTTP 200 in …: status success, outcome keys duration, media_urls, thumbnail_image_url, 2 media, no payload; keys created_at, model, outcome, queued_at, request_id, status, updated_at`,
      `GET ${path}/requests/${requestId} → HTTP 503 in …: an error, Retry-After 0.0 s`,
      `GET ${path}/requests/${requestId} → HTTP 200 in …: status success, outcome keys duration, media_urls, thumbnail_image_url, 2 media, payload; keys created_at, is_public, model, org_id, outcome, payload, queued_at, request_id, status, updated_at`,
      `GET ${path}/requests → HTTP 200 in …: requests: 1 (success 1), 1 with payloads, total 1; keys requests, total`
    ])
    const trail = lines.join('\n')
    expect(trail).not.toContain('sig=')
    expect(trail).not.toContain('http')
    expect(trail).not.toContain(KEY)
  })
})

describe('a slow submission', () => {
  it('is waited for longer than a read, since giving up on it could leave a paid request unknown', async () => {
    sim = await startSim({ timeScale: 0.1, plan: () => ({ acceptSeconds: 5 }) })
    const policy = { ...FAST, attempts: 1, timeoutMs: 200, submitTimeoutMs: 2000 }
    const { client } = clientFor(sim, { policy })

    const remote = await client.submit(MODEL, payload())
    expect(remote.requestId).toBe(sim.requests[0]!.request_id)
    expect(sim.billable).toBe(1)

    sim.inject({ method: 'GET', path: '/requests/', delayMs: 500 })
    await expect(client.get(remote.requestId)).rejects.toThrow(/no answer within 0\.2 s/)
  })
})
