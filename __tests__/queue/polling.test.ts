// How requests are polled: one list call for all the list shows with a status, a read by id for
// any it does not (absent, paged out, no status, no outcome, or the list failing), and how many
// calls a run makes in all. Over real HTTP on the simulator, on one simulated clock.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { generate, type Job } from '../../src/queue/generate.js'
import type { Plan, SimOptions } from '../../stand-ins/request-queue.js'
import { hashRequest } from '../../src/script/index.js'
import { callsOf, clientFor, simulatedClock, startSim, videoRequest, type Sim } from './helpers.js'

let sim: Sim | undefined
let simulated = simulatedClock()
beforeEach(() => {
  simulated = simulatedClock()
})
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

/** A script titled `file`, spoken for about `seconds`. */
function job(file: string, seconds = 10): Job {
  const request = videoRequest(file, 'word '.repeat(seconds * 2.5))
  request.payload.title = file
  request.hash = hashRequest(request.model, request.payload)
  request.estimatedSeconds = seconds
  return { request }
}

/**
 * Generates `jobs` on the simulator (1 simulated second = 1 ms), polling every 10 simulated
 * seconds; each renders as `plans` say, by title.
 */
async function run(
  jobs: Job[],
  plans: Record<string, Partial<Plan>>,
  options: SimOptions = {},
  prepare: (sim: Sim) => void = () => {}
) {
  sim = await startSim({
    timeScale: 0.001,
    clock: simulated.now,
    plan: payload => plans[String((payload as { title: string }).title)],
    ...options
  })
  prepare(sim)
  const { client } = clientFor(sim, {
    policy: {
      attempts: 2,
      baseDelayMs: 1,
      maxDelayMs: 5,
      timeoutMs: 10_000,
      submitTimeoutMs: 10_000
    }
  })
  const logged: string[] = []
  const generated = await generate(jobs, {
    client: simulated.watch(client),
    now: simulated.now,
    sleep: simulated.sleep,
    maxConcurrency: 4,
    pollInterval: 0.01,
    timeout: 3,
    log: message => logged.push(message)
  })
  await simulated.settle()
  const current = sim
  const pollsOf = (title: string) => current.requests.find(r => r.payload.title === title)!.polls
  const calls = callsOf(current)
  return {
    generated,
    logged,
    pollsOf,
    /** The titles of the `count` requests created last. */
    newest: (count: number) => current.requests.slice(-count).map(r => String(r.payload.title)),
    calls,
    lists: calls.filter(c => c.startsWith('GET /requests ')).length,
    reads: calls.filter(c => c.startsWith('GET /requests/:id')).length
  }
}

/** `count` scripts that render from `first` to `last` simulated seconds, evenly apart. */
function spread(count: number, first: number, last: number) {
  const files = Array.from({ length: count }, (_, i) => `part-${i + 1}`)
  const plans = Object.fromEntries(
    files.map((file, i) => [
      file,
      { queuedSeconds: 5, processingSeconds: first + ((last - first) * i) / (count - 1) }
    ])
  )
  return { jobs: files.map(file => job(file)), plans, files }
}

const succeeded = (generated: Awaited<ReturnType<typeof run>>['generated']) =>
  generated.every(g => g.status === 'success' && g.videoUrl?.includes(g.requestId!))

describe('polling through the request list', () => {
  it('reads every request the list shows with one call, and by id only the last one left', async () => {
    const { jobs, plans, files } = spread(10, 100, 300)

    const { generated, pollsOf, lists } = await run(jobs, plans)

    expect(succeeded(generated)).toBe(true)
    expect(lists).toBeGreaterThan(0)
    // Every request but the last to end was seen ended in the list; the last one, alone, by id.
    expect(files.slice(0, -1).map(pollsOf)).toEqual(files.slice(0, -1).map(() => 0))
    expect(pollsOf(files.at(-1)!)).toBeGreaterThan(0)
  })

  it('polls by id the requests the list does not show, here paged out', async () => {
    // The list shows the three newest requests and says there are more, naming no next page.
    const { jobs, files } = spread(8, 100, 240)
    // The newest render first, so that the list keeps showing all three while they run.
    const { generated, pollsOf, lists, newest } = await run(
      jobs,
      {},
      {
        listPageSize: 3,
        plan: (_, index) => ({ queuedSeconds: 5, processingSeconds: 240 - 20 * index })
      }
    )

    expect(succeeded(generated)).toBe(true)
    expect(lists).toBeGreaterThan(0)
    const shown = newest(3)
    expect(shown.map(pollsOf)).toEqual([0, 0, 0])
    for (const file of files.filter(f => !shown.includes(f))) {
      expect(pollsOf(file)).toBeGreaterThan(0)
    }
  })

  it('reads an ended request once by id when the list shows no outcome', async () => {
    const { jobs, plans, files } = spread(6, 100, 200)

    const { generated, pollsOf } = await run(jobs, plans, { listShows: 'no-outcome' })

    expect(succeeded(generated)).toBe(true)
    expect(files.slice(0, -1).map(pollsOf)).toEqual(files.slice(0, -1).map(() => 1))
  })

  it('polls each request by id when the list shows no statuses, after three lists', async () => {
    const { jobs, plans, files } = spread(6, 100, 200)

    const { generated, pollsOf, lists, logged } = await run(jobs, plans, { listShows: 'ids' })

    expect(succeeded(generated)).toBe(true)
    expect(lists).toBe(3)
    for (const file of files) expect(pollsOf(file)).toBeGreaterThan(1)
    expect(logged).toEqual([
      'the request list shows none of the 6 requests being polled: each request is polled by its id from now on'
    ])
  })

  it('polls by id when the list answers an error', async () => {
    const { jobs, plans, files } = spread(6, 100, 200)
    const failing = { method: 'GET', path: /\/requests$/, status: 500, times: 1000 }

    const { generated, pollsOf, calls, logged } = await run(jobs, plans, {}, s => s.inject(failing))

    expect(succeeded(generated)).toBe(true)
    // Three lists, each tried twice, then none.
    expect(calls.filter(c => c === 'GET /requests 500')).toHaveLength(6)
    for (const file of files) expect(pollsOf(file)).toBeGreaterThan(0)
    expect(logged).toEqual([
      expect.stringMatching(
        /^the request list could not be read \(.*HTTP 500.*\): each request is polled by its id from now on$/
      )
    ])
  })
})

describe('queue calls in all', () => {
  it('makes at most 4 calls a video for 20 scripts rendering 5–20 minutes', async () => {
    const { jobs, plans } = spread(20, 300, 1200)

    const { generated, calls } = await run(jobs, plans)

    expect(succeeded(generated)).toBe(true)
    expect(calls.filter(c => c.startsWith('POST'))).toHaveLength(20)
    expect(calls.length).toBeLessThanOrEqual(4 * 20)
  })
})
