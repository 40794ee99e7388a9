// Shared by the request-queue tests: the simulator with fast time, a client whose retry waits
// are recorded instead of slept, and a valid heygen-avatar-4 payload.
import { startRequestQueue, type SimOptions } from '../../stand-ins/request-queue.js'
import { createQueueClient, type QueueClient, type RemoteRequest } from '../../src/queue/client.js'
import type { RetryPolicy, Sleep } from '../../src/queue/http.js'
import { hashRequest } from '../../src/script/index.js'
import type { VideoRequest } from '../../src/types.js'

export type Sim = Awaited<ReturnType<typeof startRequestQueue>>

export const MODEL = 'heygen-avatar-4'
export const KEY = 'sim-key'
export const FAST: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 5000,
  // Long enough for a busy machine; the tests of timeouts set their own.
  timeoutMs: 10_000,
  submitTimeoutMs: 10_000
}

export function startSim(options: SimOptions = {}): Promise<Sim> {
  return startRequestQueue({ timeScale: 0.01, ...options })
}

export interface Recorded {
  client: QueueClient
  /** Every retry wait asked for, in milliseconds; none is really slept. */
  waits: number[]
}

export function clientFor(
  sim: Sim,
  options: { policy?: RetryPolicy; apiKey?: string; organizationId?: string } = {}
): Recorded {
  const waits: number[] = []
  const client = createQueueClient({
    apiUrl: sim.url,
    apiKey: options.apiKey ?? KEY,
    organizationId: options.organizationId,
    policy: options.policy ?? FAST,
    sleep: async ms => {
      waits.push(ms)
    }
  })
  return { client, waits }
}

export function payload(words = 'Hello from the test.'): Record<string, unknown> {
  return {
    title: 'test',
    video_inputs: [
      {
        character: { type: 'avatar', avatar_id: 'Daisy-inskirt-20220818' },
        voice: { type: 'text', input_text: words, voice_id: '2d5b0e6cf36f460aa7fc47e3eee4ba54' }
      }
    ]
  }
}

export function videoRequest(file: string, words?: string): VideoRequest {
  const body = payload(words)
  return {
    file,
    title: file,
    model: MODEL,
    payload: body,
    hash: hashRequest(MODEL, body),
    regenerate: false,
    estimatedSeconds: 2
  }
}

/** `METHOD path status` of every API call, for exact assertions on what was sent. */
export function callsOf(sim: Sim): string[] {
  return sim.calls.map(c => {
    const path = c.path.replace(/^.*\/apikey/, '').replace(/\/requests\/.+$/, '/requests/:id')
    return `${c.method} ${path} ${c.status}`
  })
}

/** What the queue answers about request `id`: queued with nothing in it yet, unless `fields` say. */
export function remoteRequest(id: string, fields: Partial<RemoteRequest> = {}): RemoteRequest {
  return {
    requestId: id,
    status: 'queued',
    terminal: false,
    videoUrl: null,
    mediaUrls: [],
    thumbnailUrl: null,
    duration: null,
    reason: null,
    outcomeKeys: null,
    outcomeExcerpt: null,
    payload: undefined,
    createdAt: null,
    ...fields
  }
}

/**
 * One clock for the simulator and the loop, over real HTTP: it moves only when the loop sleeps
 * with no call to the queue in flight (the answer to a call in flight lands first, as it would
 * in a real sleep). What the simulator answers depends only on when in simulated time each call
 * comes, never on how busy the machine is.
 */
export function simulatedClock() {
  const clock = { t: Date.UTC(2026, 0, 1) }
  let inFlight = 0
  /** The client methods called, in order. */
  const calls: string[] = []
  const idle = new Set<() => void>()
  const settled = () => {
    if (--inFlight === 0) for (const wake of [...idle]) wake()
  }
  /** `client` counting its calls in flight. */
  const watch = (client: QueueClient): QueueClient =>
    new Proxy(client, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          calls.push(String(key))
          inFlight++
          return Promise.resolve()
            .then(() => value.apply(target, args))
            .finally(settled)
        }
      }
    })
  const sleep: Sleep = (ms, signal) =>
    new Promise((resolve, reject) => {
      const go = () => {
        idle.delete(go)
        signal?.removeEventListener('abort', go)
        setImmediate(() => {
          if (signal?.aborted) return reject(signal.reason)
          clock.t += ms
          resolve()
        })
      }
      if (inFlight === 0 || signal?.aborted) return go()
      idle.add(go)
      signal?.addEventListener('abort', go, { once: true })
    })
  /** Resolves once no call is in flight. */
  const settle = () =>
    new Promise<void>(resolve => {
      if (inFlight === 0) return resolve()
      const done = () => {
        idle.delete(done)
        resolve()
      }
      idle.add(done)
    })
  const started = clock.t
  return { clock, started, now: () => clock.t, sleep, watch, calls, settle }
}
