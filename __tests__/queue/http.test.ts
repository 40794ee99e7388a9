// The one HTTP policy, over real loopback HTTP against the simulator: what is retried, how long
// it waits, what is never sent twice, and how the remote's own words reach the user.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { QueueError, remoteMessage, retryAfter } from '../../src/queue/http.js'
import type { RequestList } from '../../src/queue/client.js'
import { FAST, MODEL, callsOf, clientFor, payload, startSim, type Sim } from './helpers.js'

let sim: Sim
afterEach(async () => sim?.close())

const STATUS = '/requests/'
const adoptFirst = (listed: RequestList) => listed.requests[0]

async function submitted(): Promise<string> {
  const { client } = clientFor(sim)
  const remote = await client.submit(MODEL, payload())
  sim.calls.length = 0
  return remote.requestId
}

async function failure(promise: Promise<unknown>): Promise<QueueError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof QueueError)) throw new Error(`expected a QueueError, got ${String(error)}`)
  return error
}

describe('reading a request (GET)', () => {
  it('retries a 503 after a jittered backoff and then answers', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, status: 503 })
    const { client, waits } = clientFor(sim)

    const remote = await client.get(id)

    expect(remote.requestId).toBe(id)
    expect(callsOf(sim)).toEqual(['GET /requests/:id 503', 'GET /requests/:id 200'])
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThanOrEqual(FAST.baseDelayMs / 2)
    expect(waits[0]).toBeLessThanOrEqual(FAST.baseDelayMs)
  })

  it('doubles the backoff on each retry', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, status: 500, times: 3 })
    const { client, waits } = clientFor(sim, { policy: { ...FAST, attempts: 4 } })

    await client.get(id)

    expect(waits).toHaveLength(3)
    waits.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(50 * 2 ** i)
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i)
    })
  })

  it('waits exactly what Retry-After asks on a 429, when the policy would wait that long', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, status: 429, headers: { 'Retry-After': '2' } })
    sim.inject({ method: 'GET', path: STATUS, status: 429, headers: { 'Retry-After': '5' } })
    const { client, waits } = clientFor(sim)

    await client.get(id)

    expect(waits).toEqual([2000, FAST.maxDelayMs])
    expect(sim.calls).toHaveLength(3)
  })

  it('gives up at once on a 429 that asks to wait longer than the policy ever waits', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, status: 429, headers: { 'Retry-After': '3600' } })
    const { client, waits } = clientFor(sim)

    const error = await failure(client.get(id))

    expect(waits).toEqual([])
    expect(error).toMatchObject({ status: 429, retryAfterMs: 3_600_000 })
    expect(error.message).toMatch(/: HTTP 429 \(rate limited\): Too Many Requests$/)
  })

  it('reads Retry-After given as seconds or as an HTTP date', () => {
    const now = Date.parse('Mon, 23 Nov 2026 10:00:00 GMT')
    expect(retryAfter('3', now)).toBe(3000)
    expect(retryAfter('0.25', now)).toBe(250)
    expect(retryAfter('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000)
    expect(retryAfter('Mon, 23 Nov 2026 09:59:00 GMT', now)).toBe(0)
    expect(retryAfter('soon', now)).toBeUndefined()
    expect(retryAfter(null, now)).toBeUndefined()
  })

  it('honours a Retry-After date sent by the server', async () => {
    sim = await startSim()
    const id = await submitted()
    const at = new Date(Date.now() + 30_000).toUTCString()
    sim.inject({ method: 'GET', path: STATUS, status: 503, headers: { 'Retry-After': at } })
    const { client, waits } = clientFor(sim, { policy: { ...FAST, maxDelayMs: 60_000 } })

    const before = Date.now()
    await client.get(id)
    const after = Date.now()

    // Until the date, counted from when the answer was read: between the call and its end.
    expect(waits[0]).toBeGreaterThanOrEqual(Date.parse(at) - after)
    expect(waits[0]).toBeLessThanOrEqual(Date.parse(at) - before)
  })

  it('gives up after the policy attempts, quoting the remote', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({
      method: 'GET',
      path: STATUS,
      status: 502,
      bodyText: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      times: 3
    })
    const { client, waits } = clientFor(sim)

    const error = await failure(client.get(id))

    expect(error.message).toBe(
      `GET /api/v1/ie/requestqueue/apikey/requests/${id}: HTTP 502: <html><body><h1>502 Bad Gateway</h1></body></html> (gave up after 3 attempts)`
    )
    expect(error.status).toBe(502)
    expect(sim.calls).toHaveLength(3)
    expect(waits).toHaveLength(2)
  })

  it('retries connection resets, 408 and slow answers', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, reset: true })
    sim.inject({ method: 'GET', path: STATUS, status: 408 })
    // The slow answer comes after the client's 0.5 s; the others within it, on a busy machine too.
    const { client } = clientFor(sim, { policy: { ...FAST, attempts: 4, timeoutMs: 500 } })
    sim.inject({ method: 'GET', path: STATUS, delayMs: 2000 })

    const remote = await client.get(id)

    expect(remote.requestId).toBe(id)
    expect(sim.calls).toHaveLength(4)
  })

  it('says how long it waited when the queue never answers', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, delayMs: 400, times: 2 })
    const { client } = clientFor(sim, { policy: { ...FAST, attempts: 2, timeoutMs: 100 } })

    const error = await failure(client.get(id))

    expect(error.message).toMatch(
      /requests\/[\w-]+: no answer within 0\.1 s \(gave up after 2 attempts\)$/
    )
    expect(error.status).toBeUndefined()
  })

  it('retries an answer that is not JSON, then reports it', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({
      method: 'GET',
      path: STATUS,
      status: 200,
      bodyText: '{"request_id": "x',
      times: 3
    })
    const { client } = clientFor(sim)

    const error = await failure(client.get(id))

    expect(error.message).toMatch(
      /HTTP 200 with a body that is not JSON: \{"request_id": "x \(gave up after 3 attempts\)$/
    )
    expect(sim.calls).toHaveLength(3)
  })

  it('reports a JSON answer of an unknown shape without retrying it', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, status: 200, body: { data: { id } } })
    const { client } = clientFor(sim)

    const error = await failure(client.get(id))

    expect(error.message).toBe(
      `GET /api/v1/ie/requestqueue/apikey/requests/${id}: the status of ${id} has no request_id`
    )
    expect(sim.calls).toHaveLength(1)
  })

  it.each([
    [400, { error: 'bad request id' }, 'HTTP 400: bad request id'],
    [401, { error: 'invalid api key' }, 'HTTP 401 (the API key was refused): invalid api key'],
    [
      402,
      { error: { message: 'insufficient balance', details: 'top up at console.gmicloud.ai' } },
      'HTTP 402 (insufficient balance): insufficient balance: top up at console.gmicloud.ai'
    ],
    [403, { message: 'forbidden' }, 'HTTP 403 (the API key was refused): forbidden'],
    [404, { error: 'request not found' }, 'HTTP 404: request not found']
  ])('does not retry a %i, and names the remote message', async (status, body, expected) => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, status, body })
    const { client, waits } = clientFor(sim)

    const error = await failure(client.get(id))

    expect(error.message).toBe(`GET /api/v1/ie/requestqueue/apikey/requests/${id}: ${expected}`)
    expect(error.status).toBe(status)
    expect(sim.calls).toHaveLength(1)
    expect(waits).toEqual([])
  })

  it('stops at once when the caller aborts a slow poll', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, delayMs: 5000 })
    const controller = new AbortController()
    const { client, waits } = clientFor(sim)
    setTimeout(() => controller.abort('cancelled'), 50)

    const started = Date.now()
    const error = await failure(client.get(id, controller.signal))

    // Well before the answer, due after 5 s, even on a busy machine.
    expect(Date.now() - started).toBeLessThan(2500)
    expect(error.stopped).toBe(true)
    expect(error.message).toBe(
      `GET /api/v1/ie/requestqueue/apikey/requests/${id}: stopped (cancelled)`
    )
    expect(waits).toEqual([])
  })
})

describe('submitting (POST), which is billed', () => {
  it('sends again after a 429, which created nothing', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', status: 429, headers: { 'Retry-After': '1' } })
    const { client, waits } = clientFor(sim)

    const remote = await client.submit(MODEL, payload(), { adopt: adoptFirst })

    expect(callsOf(sim)).toEqual(['POST /requests 429', 'POST /requests 200'])
    expect(waits).toEqual([1000])
    expect(sim.billable).toBe(1)
    expect(remote.requestId).toBe(sim.requests[0]!.request_id)
  })

  it('does not retry an upstream validation error wrapped in a 500', async () => {
    sim = await startSim()
    const { client } = clientFor(sim)
    const bad = payload()
    ;(bad.video_inputs as Array<{ voice: { input_text: string } }>)[0]!.voice.input_text = ''

    const error = await failure(client.submit(MODEL, bad, { adopt: adoptFirst }))

    expect(error.message).toBe(
      'POST /api/v1/ie/requestqueue/apikey/requests: HTTP 500: Backend error (400): video_inputs[0].voice.input_text is required'
    )
    expect(callsOf(sim)).toEqual(['POST /requests 500'])
    expect(sim.billable).toBe(0)
  })

  it('after a 5xx, looks for the request before sending again', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', status: 500 })
    const { client } = clientFor(sim)

    await client.submit(MODEL, payload(), { adopt: () => undefined })

    expect(callsOf(sim)).toEqual(['POST /requests 500', 'GET /requests 200', 'POST /requests 200'])
    expect(sim.billable).toBe(1)
  })

  it('adopts the request a gateway error hid instead of paying again', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', status: 504, handled: true })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload(), { adopt: adoptFirst })

    expect(callsOf(sim)).toEqual(['POST /requests 504', 'GET /requests 200'])
    expect(sim.billable).toBe(1)
    expect(remote.requestId).toBe(sim.requests[0]!.request_id)
  })

  it('adopts the request when the connection drops after the send', async () => {
    // Real time: the adopted request is still queued when it is listed, even on a busy machine.
    sim = await startSim({ timeScale: 1 })
    sim.inject({ method: 'POST', ambiguous: true })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload(), { adopt: adoptFirst })

    expect(callsOf(sim)).toEqual(['POST /requests 0', 'GET /requests 200'])
    expect(sim.billable).toBe(1)
    expect(remote).toMatchObject({ requestId: sim.requests[0]!.request_id, status: 'queued' })
  })

  it('sends again when the dropped send created nothing', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', reset: true })
    const { client } = clientFor(sim)

    await client.submit(MODEL, payload(), { adopt: () => undefined })

    expect(callsOf(sim)).toEqual(['POST /requests 0', 'GET /requests 200', 'POST /requests 200'])
    expect(sim.billable).toBe(1)
  })

  it('adopts the request when a 200 answer cannot be read, and never sends again', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', handled: true, status: 200, bodyText: '{"request_id": ' })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload(), { adopt: adoptFirst })
    expect(remote.requestId).toBe(sim.requests[0]!.request_id)

    sim.inject({ method: 'POST', handled: true, status: 200, body: { ok: true } })
    const error = await failure(client.submit(MODEL, payload(), { adopt: () => undefined }))
    expect(error.message).toBe(
      'POST /api/v1/ie/requestqueue/apikey/requests: the submit answer has no request_id; the queue accepted the request but does not list it; not resubmitted, to avoid paying twice'
    )
    expect(sim.billable).toBe(2)
    expect(sim.calls.filter(c => c.method === 'POST')).toHaveLength(2)
  })

  it('refuses to send again when the request list cannot be read', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', ambiguous: true })
    sim.inject({ method: 'GET', path: /\/requests$/, status: 503, times: 3 })
    const { client } = clientFor(sim)

    const error = await failure(client.submit(MODEL, payload(), { adopt: adoptFirst }))

    expect(error.ambiguous).toBe(true)
    expect(error.message).toMatch(
      /^POST \S+\/requests: the connection failed \(UND_ERR_SOCKET\); the request list could not be read to check whether the request was created \(GET \S+\/requests: HTTP 503: Service Unavailable \(gave up after 3 attempts\)\); not resubmitted, to avoid paying twice$/
    )
    expect(sim.calls.filter(c => c.method === 'POST')).toHaveLength(1)
    expect(sim.billable).toBe(1)
  })

  it('refuses to send again when the list does not show payloads to compare', async () => {
    sim = await startSim({ echoPayload: false })
    sim.inject({ method: 'POST', ambiguous: true })
    const { client } = clientFor(sim)

    const error = await failure(client.submit(MODEL, payload(), { adopt: () => undefined }))

    expect(error.message).toMatch(
      /does not show payloads .*; not resubmitted, to avoid paying twice$/
    )
    expect(sim.billable).toBe(1)
  })

  it('refuses to send again when the list shows only part of the requests', async () => {
    sim = await startSim({ listPageSize: 1 })
    await clientFor(sim).client.submit(MODEL, payload('an earlier video'))
    sim.inject({ method: 'POST', ambiguous: true })
    const { client } = clientFor(sim)

    const error = await failure(client.submit(MODEL, payload(), { adopt: () => undefined }))

    expect(error.message).toMatch(
      /; the request list shows 1 of 2 requests, and the request may be among those not shown; not resubmitted, to avoid paying twice$/
    )
    expect(error.ambiguous).toBe(true)
    expect(sim.billable).toBe(2)
  })

  it('never sends again without a way to find what it created', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', status: 502 })
    const { client } = clientFor(sim)

    const error = await failure(client.submit(MODEL, payload()))

    expect(error.ambiguous).toBe(true)
    expect(callsOf(sim)).toEqual(['POST /requests 502'])
  })

  it('sends again, without looking, when the connection was refused', async () => {
    sim = await startSim()
    const { client, waits } = clientFor(sim)
    await sim.close()

    const error = await failure(client.submit(MODEL, payload(), { adopt: adoptFirst }))

    expect(error.ambiguous).toBe(false)
    expect(error.message).toBe(
      'POST /api/v1/ie/requestqueue/apikey/requests: the connection failed (ECONNREFUSED) (gave up after 3 attempts)'
    )
    expect(waits).toHaveLength(2)
  })

  it('gives up after the policy attempts when every send fails', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', status: 503, times: 3 })
    const { client } = clientFor(sim)

    const error = await failure(client.submit(MODEL, payload(), { adopt: () => undefined }))

    expect(error.message).toBe(
      'POST /api/v1/ie/requestqueue/apikey/requests: HTTP 503: Service Unavailable (gave up after 3 attempts)'
    )
    expect(callsOf(sim)).toEqual([
      'POST /requests 503',
      'GET /requests 200',
      'POST /requests 503',
      'GET /requests 200',
      'POST /requests 503',
      'GET /requests 200'
    ])
    expect(sim.billable).toBe(0)
  })
})

describe('answers the action does not trust', () => {
  /** Another origin on this machine that records what reaches it. */
  async function elsewhere() {
    const seen: Array<{ method?: string; authorization?: string }> = []
    const server = createServer((req, res) => {
      seen.push({ method: req.method, authorization: req.headers.authorization })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ request_id: 'from-elsewhere', status: 'success' }))
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    // Another port is another origin, as another host would be.
    return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() }
  }

  it('refuses an answer larger than 8 MiB as an error of that call, without retrying', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({ method: 'GET', path: STATUS, status: 200, bodyText: 'x'.repeat(9 * 2 ** 20) })
    const { client, waits } = clientFor(sim)

    const error = await failure(client.get(id))

    expect(error.message).toBe(
      `GET /api/v1/ie/requestqueue/apikey/requests/${id}: the answer is larger than 8 MiB`
    )
    expect(waits).toEqual([])
    expect(callsOf(sim)).toEqual(['GET /requests/:id 200'])
  })

  it('looks for the request an oversized submit answer created, and never sends it again', async () => {
    sim = await startSim()
    sim.inject({ method: 'POST', handled: true, status: 200, bodyText: ' '.repeat(9 * 2 ** 20) })
    const { client } = clientFor(sim)

    const remote = await client.submit(MODEL, payload(), { adopt: adoptFirst })

    expect(remote.requestId).toBe(sim.requests[0]!.request_id)
    expect(sim.billable).toBe(1)
    expect(sim.calls.filter(c => c.method === 'POST')).toHaveLength(1)
  })

  it('follows a redirect within the queue, and no other', async () => {
    sim = await startSim()
    const id = await submitted()
    sim.inject({
      method: 'GET',
      path: `/requests/moved`,
      status: 307,
      headers: { location: `${sim.url}/api/v1/ie/requestqueue/apikey/requests/${id}` }
    })
    const { client } = clientFor(sim)

    expect((await client.get('moved')).requestId).toBe(id)
  })

  it('never follows a redirect to another origin, which would get the key', async () => {
    sim = await startSim()
    const other = await elsewhere()
    try {
      sim.inject({ method: 'GET', status: 302, headers: { location: `${other.url}/steal` } })
      const { client, waits } = clientFor(sim)

      const error = await failure(client.get('some-id'))

      expect(error.message).toBe(
        `GET /api/v1/ie/requestqueue/apikey/requests/some-id: HTTP 302, a redirect to another origin (${other.url}); check api-url`
      )
      expect(other.seen).toEqual([])
      expect(waits).toEqual([])
    } finally {
      other.close()
    }
  })

  it('never follows a redirect of a submission, even within the queue', async () => {
    sim = await startSim()
    sim.inject({
      method: 'POST',
      status: 307,
      headers: { location: `${sim.url}/api/v1/ie/requestqueue/apikey/requests` }
    })
    const { client } = clientFor(sim)

    const error = await failure(client.submit(MODEL, payload(), { adopt: adoptFirst }))

    expect(error.message).toBe(
      'POST /api/v1/ie/requestqueue/apikey/requests: HTTP 307, a redirect of a POST, which is never resent; check api-url'
    )
    expect(sim.billable).toBe(0)
    expect(sim.calls.filter(c => c.method === 'POST')).toHaveLength(1)
  })
})

describe('the remote message', () => {
  it.each([
    ['{"error": "invalid api key"}', 'invalid api key'],
    [
      '{"error": {"message": "model not found", "details": "no access"}}',
      'model not found: no access'
    ],
    ['{"error": {"message": "quota"}}', 'quota'],
    ['{"message": "Too Many Requests"}', 'Too Many Requests'],
    ['{"detail": "odd"}', '{"detail": "odd"}'],
    ['upstream\n  timed out', 'upstream timed out'],
    ['', 'empty answer']
  ])('reads %s', (body, expected) => {
    expect(remoteMessage(body)).toBe(expected)
  })

  it('keeps at most 300 characters of a long page', () => {
    expect(remoteMessage('x'.repeat(1000))).toBe(`${'x'.repeat(300)}…`)
  })
})
