// The request-queue client reads every answer shape seen in the wild: failure reasons wherever
// they sit, media under either field, statuses it does not know, and the list's wrapper.
import { afterEach, describe, expect, it } from '@jest/globals'
import { readRequest } from '../../src/queue/client.js'
import { QueueError } from '../../src/queue/http.js'
import { MODEL, clientFor, payload, startSim, type Sim } from './helpers.js'

let sim: Sim
afterEach(async () => sim?.close())

const settle = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe('reading a request', () => {
  it.each([
    'error',
    'error_message',
    'outcome.error',
    'outcome.message',
    'outcome.fail_reason'
  ] as const)('finds the failure reason in %s', async reasonAt => {
    sim = await startSim({
      plan: () => ({ outcome: 'failed', reason: 'avatar not found', reasonAt, immediate: true })
    })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload())

    expect(remote).toMatchObject({ status: 'failed', terminal: true, reason: 'avatar not found' })
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
