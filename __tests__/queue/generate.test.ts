// The generation loop: when it polls (on a virtual clock, exactly), and what each script ends as
// when the queue fails, loses answers, never starts, or the run is cancelled (over real HTTP, on
// a simulated clock: no outcome depends on how fast the machine is).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { generate, type Job, type GenerateOptions } from '../../src/queue/generate.js'
import type { QueueClient, RemoteRequest } from '../../src/queue/client.js'
import { QueueError, type Sleep } from '../../src/queue/http.js'
import type { Plan } from '../../stand-ins/request-queue.js'
import {
  callsOf,
  clientFor,
  remoteRequest,
  simulatedClock,
  startSim,
  videoRequest,
  type Sim
} from './helpers.js'
import { hashRequest } from '../../src/script/index.js'

let sim: Sim | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

/** A clock that moves only when the loop sleeps, so poll times are exact. */
function virtualClock() {
  const clock = { t: 0 }
  const sleep: Sleep = (ms, signal) =>
    new Promise((resolve, reject) =>
      // Lets every pending answer land first, as a real sleep would.
      setImmediate(() => {
        if (signal?.aborted) return reject(signal.reason)
        clock.t += ms
        resolve()
      })
    )
  return { clock, now: () => clock.t, sleep }
}

let simulated = simulatedClock()
beforeEach(() => {
  simulated = simulatedClock()
})

/** The simulator on this test's simulated clock, 1 simulated second = 1 ms. */
function startSimulated(options: Parameters<typeof startSim>[0] = {}): Promise<Sim> {
  return startSim({ timeScale: 0.001, clock: simulated.now, ...options })
}

/** An in-memory queue on the virtual clock: each script renders for `rendersMs[file]`. */
function scriptedQueue(clock: { t: number }, rendersMs: Record<string, number>) {
  const polls: Record<string, number[]> = {}
  let active = 0
  let mostActive = 0
  const requests = new Map<string, { file: string; doneAt: number }>()
  const answer = (id: string): RemoteRequest => {
    const { doneAt } = requests.get(id)!
    const done = clock.t >= doneAt
    return {
      requestId: id,
      status: done ? 'success' : 'processing',
      terminal: done,
      videoUrl: done ? `https://media.example/${id}.mp4` : null,
      mediaUrls: done ? [`https://media.example/${id}.mp4`] : [],
      thumbnailUrl: null,
      duration: done ? 3 : null,
      reason: null,
      outcomeKeys: null,
      outcomeExcerpt: null,
      payload: undefined,
      createdAt: null
    }
  }
  const client: QueueClient = {
    async submit(_model, payload) {
      active++
      mostActive = Math.max(mostActive, active)
      await new Promise(resolve => setImmediate(resolve))
      active--
      const file = (payload as { title: string }).title
      const id = `req-${requests.size + 1}`
      requests.set(id, { file, doneAt: clock.t + rendersMs[file]! })
      polls[file] = []
      return { ...answer(id), status: 'queued' }
    },
    async get(id) {
      polls[requests.get(id)!.file]!.push(clock.t / 1000)
      return answer(id)
    },
    list: async () => ({ requests: [], total: null, complete: true }),
    modelInfo: async () => ({}),
    models: async () => []
  }
  return { client, polls, mostActive: () => mostActive }
}

function job(file: string, words?: string): Job {
  const request = videoRequest(file, words)
  request.payload.title = file
  request.hash = hashRequest(request.model, request.payload)
  return { request }
}

describe('the polling schedule', () => {
  it('notices a short job at the first poll and polls a long one ever more rarely', async () => {
    const { clock, now, sleep } = virtualClock()
    const queue = scriptedQueue(clock, { short: 5_000, long: 600_000 })

    const generated = await generate([job('short'), job('long')], {
      client: queue.client,
      maxConcurrency: 4,
      pollInterval: 10,
      timeout: 3600,
      now,
      sleep
    })

    expect(generated.map(g => [g.file, g.status, g.requestId])).toEqual([
      ['short', 'success', 'req-1'],
      ['long', 'success', 'req-2']
    ])
    expect(queue.polls.short).toEqual([10])
    // Same spoken length as `short`, so expected at 10 s too: as the last request left, polled
    // every quarter interval while within a quarter of its expected time (2.5 s) of it, then at
    // half the time past it, at least the interval, at most 6 intervals (60 s).
    expect(queue.polls.long).toEqual([
      10, 12.5, 15, 25, 35, 47.5, 66.25, 94.375, 136.5625, 196.5625, 256.5625, 316.5625, 376.5625,
      436.5625, 496.5625, 556.5625, 616.5625
    ])
  })

  it('prints a progress summary every summaryEvery seconds of a long run', async () => {
    const { clock, now, sleep } = virtualClock()
    const queue = scriptedQueue(clock, { a: 5_000, b: 200_000, c: 200_000 })
    const summaries: Array<Record<string, number>> = []

    await generate([job('a'), job('b'), job('c')], {
      client: queue.client,
      maxConcurrency: 4,
      pollInterval: 10,
      timeout: 3600,
      summaryEvery: 60,
      onSummary: counts => summaries.push({ ...counts, at: clock.t / 1000 }),
      now,
      sleep
    })

    expect(summaries).toEqual([
      { done: 1, total: 3, processing: 2, at: 77.5 },
      { done: 1, total: 3, processing: 2, at: 161.875 },
      { done: 3, total: 3, at: 221.875 }
    ])
  })

  it('keeps at most max-concurrency calls in flight', async () => {
    const { clock, now, sleep } = virtualClock()
    const files = ['a', 'b', 'c', 'd', 'e', 'f']
    const queue = scriptedQueue(clock, Object.fromEntries(files.map(f => [f, 1000])))

    const generated = await generate(
      files.map(f => job(f)),
      {
        client: queue.client,
        maxConcurrency: 2,
        pollInterval: 1,
        timeout: 3600,
        now,
        sleep
      }
    )

    expect(generated.every(g => g.status === 'success')).toBe(true)
    expect(queue.mostActive()).toBe(2)
  })
})

/** Generation against the simulator, on the simulated clock. */
async function run(
  jobs: Job[],
  plans: Record<string, Partial<Plan>> = {},
  options: Partial<GenerateOptions> & { attempts?: number } = {}
) {
  sim ??= await startSimulated({
    plan: payload => plans[String((payload as { title: string }).title)]
  })
  const { client } = clientFor(sim, {
    policy: {
      attempts: options.attempts ?? 3,
      baseDelayMs: 5,
      maxDelayMs: 50,
      timeoutMs: 10_000,
      submitTimeoutMs: 10_000
    }
  })
  const progress: string[] = []
  const generated = await generate(jobs, {
    client: simulated.watch(client),
    now: simulated.now,
    sleep: simulated.sleep,
    maxConcurrency: 4,
    pollInterval: 0.005,
    // Jobs end in milliseconds; the deadline only matters to the tests that set their own.
    timeout: 30,
    onProgress: p => progress.push(`${p.file} ${p.status}`),
    ...options
  })
  return { generated, progress, sim }
}

const idOf = (sim: Sim, title: string) =>
  sim.requests.find(r => r.payload.title === title)!.request_id

describe('what each script ends as', () => {
  it('carries the remote reason of a failed or cancelled job, and fails a success without media', async () => {
    const { generated, sim } = await run(
      [job('failed'), job('cancelled'), job('silent'), job('empty'), job('fine')],
      {
        failed: { outcome: 'failed', reason: 'avatar Daisy is not available' },
        cancelled: { outcome: 'cancelled', reason: 'cancelled by an operator', reasonAt: 'error' },
        silent: { outcome: 'failed', reason: null },
        empty: { omitMedia: true }
      }
    )

    expect(generated.map(g => [g.file, g.status, g.error])).toEqual([
      ['failed', 'failed', 'avatar Daisy is not available'],
      ['cancelled', 'cancelled', 'cancelled by an operator'],
      ['silent', 'failed', 'the queue reported failed without a reason or an outcome'],
      [
        'empty',
        'failed',
        'the queue reported success but gave no video URL the action recognises (outcome keys: thumbnail_image_url, duration)'
      ],
      ['fine', 'success', null]
    ])
    expect(generated.map(g => g.requestId)).toEqual(
      ['failed', 'cancelled', 'silent', 'empty', 'fine'].map(f => idOf(sim, f))
    )
    expect(sim.billable).toBe(5)
  })

  it('reads a terminal status from the submit answer without polling', async () => {
    const { generated, sim } = await run([job('instant')], { instant: { immediate: true } })

    expect(generated[0]).toMatchObject({ status: 'success', requestId: idOf(sim, 'instant') })
    expect(callsOf(sim)).toEqual(['POST /requests 200'])
  })

  it('ends a request that never starts as timeout, keeping its id for the next run', async () => {
    const { generated, sim } = await run(
      [job('stuck')],
      { stuck: { neverStarts: true } },
      {
        timeout: 0.3
      }
    )

    const id = idOf(sim, 'stuck')
    expect(generated[0]).toEqual({
      file: 'stuck',
      status: 'timeout',
      requestId: id,
      videoUrl: null,
      mediaUrls: null,
      thumbnailUrl: null,
      duration: null,
      error: `still queued after 0.3 s; the next run resumes request ${id}`
    })
  })

  it('treats statuses it does not know as still running until the deadline', async () => {
    const { generated, progress } = await run(
      [job('created'), job('dispatched')],
      {
        created: { createdSeconds: 1e6 },
        dispatched: { queuedSeconds: 0, dispatchedSeconds: 1e6 }
      },
      { timeout: 0.3 }
    )

    expect(generated.map(g => [g.status, g.error?.replace(/request \S+$/, 'request …')])).toEqual([
      ['timeout', 'still created after 0.3 s; the next run resumes request …'],
      ['timeout', 'still dispatched after 0.3 s; the next run resumes request …']
    ])
    expect(progress).toEqual(
      expect.arrayContaining(['created created', 'dispatched dispatched', 'created timeout'])
    )
  })

  it('keeps polling after a poll fails for good, and succeeds', async () => {
    // Queued for 100 simulated seconds: long enough to be polled through both failures.
    sim = await startSimulated({ plan: () => ({ queuedSeconds: 100 }) })
    sim.inject({ method: 'GET', path: '/requests/', status: 503, times: 2 })

    const { generated } = await run([job('flaky')], {}, { attempts: 2 })

    expect(generated[0]!.status).toBe('success')
    expect(callsOf(sim).slice(0, 3)).toEqual([
      'POST /requests 200',
      'GET /requests/:id 503',
      'GET /requests/:id 503'
    ])
    expect(sim.billable).toBe(1)
  })

  it('says why polls failed when the deadline passes', async () => {
    sim = await startSimulated({ plan: () => ({ neverStarts: true }) })
    sim.inject({
      method: 'GET',
      path: '/requests/',
      status: 503,
      body: { error: 'maintenance' },
      times: 1000
    })

    const { generated } = await run([job('dark')], {}, { attempts: 1, timeout: 1 })

    expect(generated[0]!.error).toMatch(
      /^still queued after 1 s \(last poll: GET \S+: HTTP 503: maintenance \(gave up after 1 attempts\)\); the next run resumes request \S+$/
    )
  })

  it('fails a request the queue does not know', async () => {
    const { generated } = await run([{ ...job('lost'), resumeId: 'no-such-request' }])

    expect(generated[0]).toMatchObject({
      status: 'failed',
      requestId: 'no-such-request',
      error:
        'request no-such-request is unknown to the queue: GET /api/v1/ie/requestqueue/apikey/requests/no-such-request: HTTP 404: request not found'
    })
  })

  it('stops submitting after the queue refuses the key or the balance', async () => {
    sim = await startSimulated()
    sim.inject({ method: 'POST', status: 402, body: { error: 'insufficient balance' } })

    const { generated } = await run([job('a'), job('b'), job('c')], {}, { maxConcurrency: 1 })

    const refused =
      'POST /api/v1/ie/requestqueue/apikey/requests: HTTP 402 (insufficient balance): insufficient balance'
    expect(generated.map(g => [g.status, g.error])).toEqual([
      ['failed', refused],
      ['failed', `not submitted: an earlier submission was refused (${refused})`],
      ['failed', `not submitted: an earlier submission was refused (${refused})`]
    ])
    expect(callsOf(sim)).toEqual(['POST /requests 402'])
  })
})

describe("the queue's rate limit", () => {
  it('stops submitting once a 429 asks to wait an hour, and skips the rest for the next run', async () => {
    sim = await startSimulated({ rateLimit: { requests: 1 } })
    const limits: string[] = []

    const { generated } = await run(
      [job('a'), job('b'), job('c')],
      {},
      {
        maxConcurrency: 1,
        onRateLimited: message => limits.push(message)
      }
    )

    const why =
      "the request queue's rate limit was reached (POST /api/v1/ie/requestqueue/apikey/requests: HTTP 429 (rate limited): rate limit exceeded(RPM); it asks to wait 60 min)"
    expect(generated.map(g => [g.file, g.status, g.error])).toEqual([
      ['a', 'success', null],
      ['b', 'skipped', `not submitted: ${why}; the next run submits it`],
      ['c', 'skipped', `not submitted: ${why}; the next run submits it`]
    ])
    expect(limits).toEqual([why])
    expect(callsOf(sim).filter(c => c.startsWith('POST'))).toEqual([
      'POST /requests 200',
      'POST /requests 429'
    ])
    expect(sim.billable).toBe(1)
  })

  it('reports a request failed for the rate limit as such, and submits no more', async () => {
    sim = await startSimulated({ rateLimit: { requests: 1, as: 'failed' } })
    const limits: string[] = []

    const { generated } = await run(
      [job('a'), job('b'), job('c')],
      {},
      {
        maxConcurrency: 1,
        onRateLimited: message => limits.push(message)
      }
    )

    const b = idOf(sim, 'b')
    expect(generated.map(g => [g.file, g.status, g.error])).toEqual([
      ['a', 'success', null],
      [
        'b',
        'failed',
        'rate limited, not a render failure: the request queue refused it for its rate limit or quota (rate limit exceeded(RPM)); the next run submits it again'
      ],
      [
        'c',
        'skipped',
        `not submitted: the request queue's rate limit was reached (request ${b} failed: rate limit exceeded(RPM)); the next run submits it`
      ]
    ])
    expect(limits).toHaveLength(1)
    expect(sim.billable).toBe(2)
  })

  it('rides out a 429 whose Retry-After is short, and goes on submitting', async () => {
    sim = await startSimulated()
    sim.inject({ method: 'POST', status: 429, headers: { 'Retry-After': '0.01' } })
    const limits: string[] = []

    const { generated } = await run(
      [job('a'), job('b')],
      {},
      {
        onRateLimited: message => limits.push(message)
      }
    )

    expect(generated.map(g => g.status)).toEqual(['success', 'success'])
    expect(limits).toEqual([])
  })
})

describe('a request not visible yet', () => {
  it('polls on through the 404s of a request it just created, which was paid for', async () => {
    const { generated, sim } = await run([job('hidden')], { hidden: { hiddenSeconds: 200 } })

    expect(generated[0]).toMatchObject({ status: 'success', requestId: idOf(sim, 'hidden') })
    const polls = callsOf(sim).filter(c => c.startsWith('GET /requests/:id'))
    expect(polls[0]).toBe('GET /requests/:id 404')
    expect(polls.at(-1)).toBe('GET /requests/:id 200')
    expect(sim.billable).toBe(1)
  })

  it('fails it when it is still unknown two minutes after its submission', async () => {
    const { clock, now, sleep } = virtualClock()
    const polled: number[] = []
    const client: QueueClient = {
      submit: async () => remoteRequest('req-1'),
      get: async id => {
        polled.push(clock.t / 1000)
        throw new QueueError(`GET /requests/${id}: HTTP 404: request not found`, 404)
      },
      list: async () => ({ requests: [], total: null, complete: true }),
      modelInfo: async () => ({}),
      models: async () => []
    }

    const [generated] = await generate([job('lost')], {
      client,
      maxConcurrency: 1,
      pollInterval: 10,
      timeout: 3600,
      now,
      sleep
    })

    expect(generated).toMatchObject({
      status: 'failed',
      requestId: 'req-1',
      error:
        'request req-1 is unknown to the queue: GET /requests/req-1: HTTP 404: request not found'
    })
    expect(polled.at(-2)).toBeLessThan(120)
    expect(polled.at(-1)).toBeGreaterThanOrEqual(120)
  })
})

describe('never paying twice', () => {
  it('gives two identical scripts whose answers were lost one request each', async () => {
    sim = await startSimulated()
    sim.inject({ method: 'POST', ambiguous: true, times: 2 })
    const twin = (file: string) => ({ request: { ...videoRequest(file, 'Same words.'), file } })

    const { generated } = await run([twin('one.md'), twin('two.md')], {}, { maxConcurrency: 2 })

    expect(sim.billable).toBe(2)
    expect(sim.calls.filter(c => c.method === 'POST')).toHaveLength(2)
    expect(generated.map(g => g.status)).toEqual(['success', 'success'])
    expect(new Set(generated.map(g => g.requestId))).toEqual(
      new Set(sim.requests.map(r => r.request_id))
    )
  })

  it('resumes an earlier request by its id without submitting', async () => {
    sim = await startSimulated()
    const { client } = clientFor(sim)
    const earlier = await client.submit('heygen-avatar-4', job('again').request.payload)

    const { generated } = await run([{ ...job('again'), resumeId: earlier.requestId }])

    expect(generated[0]).toMatchObject({ status: 'success', requestId: earlier.requestId })
    expect(sim.billable).toBe(1)
  })

  it('reuses an earlier success with fresh media, and pays again only for one that is gone', async () => {
    sim = await startSimulated({ plan: () => ({ immediate: true }) })
    const { client } = clientFor(sim)
    const earlier = await client.submit('heygen-avatar-4', job('kept').request.payload)

    const { generated } = await run([
      { ...job('kept'), resumeId: earlier.requestId, reuse: true },
      { ...job('gone'), resumeId: 'expired-request', reuse: true }
    ])

    expect(generated.map(g => [g.file, g.status])).toEqual([
      ['kept', 'reused'],
      ['gone', 'success']
    ])
    expect(generated[0]!.requestId).toBe(earlier.requestId)
    expect(generated[0]!.videoUrl).toMatch(/video\.mp4\?expires=/)
    expect(sim.billable).toBe(2)
  })
})

describe('an earlier video found gone under max-minutes', () => {
  it('is rendered anew only while the cap leaves room for it, and skipped with its note after', async () => {
    sim = await startSimulated({ plan: () => ({ immediate: true }) })
    const granted: number[] = []
    let left = 1.5 * job('first').request.estimatedSeconds
    const budget = {
      take: (seconds: number) => {
        if (seconds > left) return false
        left -= seconds
        granted.push(seconds)
        return true
      },
      overCap: (seconds: number) => `over the cap by ${seconds} s`
    }

    const { generated } = await run(
      [
        { ...job('first'), resumeId: 'gone-1', reuse: true },
        { ...job('second'), resumeId: 'gone-2', reuse: true }
      ],
      {},
      { budget, maxConcurrency: 1 }
    )

    expect(generated.map(g => [g.file, g.status])).toEqual([
      ['first', 'success'],
      ['second', 'skipped']
    ])
    expect(generated[1]!.error).toBe(`over the cap by ${job('second').request.estimatedSeconds} s`)
    expect(granted).toEqual([job('first').request.estimatedSeconds])
    expect(sim.billable).toBe(1)
  })
})

describe('trusting only what the queue vouches for', () => {
  it('does not reuse an earlier request when the queue answers for another id', async () => {
    sim = await startSimulated({ plan: () => ({ immediate: true }) })
    const { client } = clientFor(sim)
    const other = await client.submit('heygen-avatar-4', job('other').request.payload)
    // The saved id points at this script's earlier video, but the queue answers for `other`.
    sim.inject({ method: 'GET', path: '/requests/saved-id', status: 200, body: rawOf(other) })
    const warnings: string[] = []

    const { generated } = await run(
      [{ ...job('mine'), resumeId: 'saved-id', reuse: true }],
      {},
      { warn: m => warnings.push(m) }
    )

    expect(generated[0]).toMatchObject({ status: 'success' })
    expect(generated[0]!.requestId).not.toBe(other.requestId)
    expect(sim.billable).toBe(2)
    expect(warnings).toEqual([
      `mine: request saved-id is not reused: the queue answered for another request (${other.requestId}); submitting the script anew`
    ])
  })

  it("does not reuse or resume a request whose payload is another script's", async () => {
    sim = await startSimulated({ plan: () => ({ immediate: true }) })
    const { client } = clientFor(sim)
    // Another pull request's video, which a forged state claims for this script.
    const theirs = await client.submit('heygen-avatar-4', job('confidential').request.payload)
    const warnings: string[] = []

    const { generated } = await run(
      [
        { ...job('reused'), resumeId: theirs.requestId, reuse: true },
        { ...job('resumed'), resumeId: theirs.requestId }
      ],
      {},
      { warn: m => warnings.push(m) }
    )

    expect(generated.map(g => g.status)).toEqual(['success', 'success'])
    expect(generated.map(g => g.requestId)).not.toContain(theirs.requestId)
    expect(JSON.stringify(generated)).not.toContain(theirs.requestId)
    expect(sim.billable).toBe(3)
    expect(warnings.sort()).toEqual([
      `resumed: request ${theirs.requestId} is not resumed: the queue shows another payload for it than this script sends; submitting the script anew`,
      `reused: request ${theirs.requestId} is not reused: the queue shows another payload for it than this script sends; submitting the script anew`
    ])
  })

  it('does not take a poll answering another request id as the outcome of its own', async () => {
    // The stranger's video is done: taking its answer would end `own` with the stranger's video.
    sim = await startSimulated({
      plan: payload => (payload.title === 'stranger' ? { immediate: true } : undefined)
    })
    const { client } = clientFor(sim)
    const stranger = await client.submit('heygen-avatar-4', job('stranger').request.payload)
    sim.inject({ method: 'GET', path: '/requests/', status: 200, body: rawOf(stranger), times: 2 })

    const { generated } = await run([job('own')])

    expect(generated[0]).toMatchObject({ status: 'success', requestId: idOf(sim, 'own') })
    expect(generated[0]!.videoUrl).toContain(idOf(sim, 'own'))
    expect(sim.billable).toBe(2)
  })

  it('stops polling when the key is refused mid-run, keeping every request id', async () => {
    sim = await startSimulated({ plan: () => ({ neverStarts: true }) })
    // The list polls both: its refusal is the first.
    sim.inject({ method: 'GET', path: '/requests', status: 401, body: { error: 'key revoked' } })
    const refusals: string[] = []

    const { generated } = await run([job('a'), job('b')], {}, { onRefused: m => refusals.push(m) })
    const isPoll = (c: string) => c === 'get' || c === 'list'
    const polls = simulated.calls.filter(isPoll).length
    const endedAt = simulated.now()
    await simulated.settle()

    const refused =
      'the request queue refused the API key (GET /api/v1/ie/requestqueue/apikey/requests: HTTP 401'
    expect(refusals).toHaveLength(1)
    expect(refusals[0]).toContain(refused)
    expect(generated.map(g => g.status)).toEqual(['timeout', 'timeout'])
    for (const [i, file] of ['a', 'b'].entries()) {
      expect(generated[i]).toMatchObject({ requestId: idOf(sim, file) })
      expect(generated[i]!.error).toMatch(
        /^the request queue refused the API key \(.*key revoked\) while the video was queued; the next run resumes request \S+$/
      )
    }
    // No poll after the refusal (the other request's may already be on its way), none once the
    // run is over, and no waiting until the deadline (30 s).
    expect(polls).toBeLessThanOrEqual(2)
    expect(simulated.calls.filter(isPoll)).toHaveLength(polls)
    expect(endedAt - simulated.started).toBeLessThan(1000)
  })
})

/** What the queue answers for `remote`, as JSON, for an injected answer. */
function rawOf(remote: RemoteRequest) {
  const stored = sim!.requests.find(r => r.request_id === remote.requestId)!
  return {
    request_id: stored.request_id,
    model: stored.model,
    status: stored.status,
    payload: stored.payload,
    outcome: stored.outcome ?? null,
    created_at: stored.created_at
  }
}

describe('cancellation', () => {
  it('stops polling at once and keeps every request id', async () => {
    sim = await startSimulated({ plan: () => ({ neverStarts: true }) })
    const controller = new AbortController()
    const submitted = new Set<string>()
    let cancelledAt = NaN
    // Cancelled once both are submitted; the jobs never start and the deadline is a minute away.
    const onProgress = (p: { file: string; requestId: string | null }) => {
      if (p.requestId) submitted.add(p.file)
      if (submitted.size < 2 || controller.signal.aborted) return
      cancelledAt = simulated.now()
      controller.abort('cancelled')
    }

    const { generated } = await run(
      [job('a'), job('b')],
      {},
      { signal: controller.signal, timeout: 60, onProgress }
    )
    const calls = simulated.calls.length
    await simulated.settle()

    // Not a moment of simulated time after the cancellation, and no call once the run is over.
    expect(simulated.now()).toBe(cancelledAt)
    expect(simulated.calls).toHaveLength(calls)
    const ids = ['a', 'b'].map(f => idOf(sim!, f))
    expect(generated.map(g => [g.status, g.requestId, g.error])).toEqual(
      ids.map(id => [
        'timeout',
        id,
        `the run was cancelled while the video was queued; the next run resumes request ${id}`
      ])
    )
  })

  it('submits nothing once the run is cancelled', async () => {
    sim = await startSimulated()
    const controller = new AbortController()
    controller.abort('cancelled')

    const { generated } = await run([job('a'), job('b')], {}, { signal: controller.signal })

    expect(generated.map(g => [g.status, g.error])).toEqual([
      ['cancelled', 'not submitted before the run was cancelled'],
      ['cancelled', 'not submitted before the run was cancelled']
    ])
    expect(sim.calls).toEqual([])
  })
})
