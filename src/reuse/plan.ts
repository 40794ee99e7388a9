// Decides, for each script, whether an earlier request stands in for a new one: a finished video
// of the identical payload is reused, a request still rendering is resumed, anything else is
// submitted. Pure: the sources of earlier requests and the remote checks live elsewhere.
import type { Job } from '../queue/generate.js'
import type { SavedEntry } from '../publish/state.js'
import { SUCCEEDED, type VideoRequest } from '../types.js'

/** An earlier request whose payload hash is known, wherever it was found. */
export interface Earlier {
  hash: string
  requestId: string
  /** `done`: it answered `success`; `rendering`: it had not ended when last seen. */
  state: 'done' | 'rendering'
  /** Where it was found, in the user's words, for the log. */
  from: string
}

export interface ReusePlan {
  jobs: Job[]
  /** Files whose job polls a request an earlier run left rendering. */
  resumed: Set<string>
  /** One line per reused or resumed script, for the log. */
  notes: string[]
}

// `pending` is what a live comment saves for a row still rendering: a run killed hard leaves it.
const RENDERING = new Set(['pending', 'timeout'])

/**
 * One job per request: a finished video of the same hash is reused, else a request of the same
 * hash still rendering is resumed, else the request is submitted. A script that says
 * `regenerate: true` is always submitted: that is also the way out of a request stuck in the queue.
 */
export function planJobs(requests: VideoRequest[], earlier: Earlier[]): ReusePlan {
  const plan: ReusePlan = { jobs: [], resumed: new Set(), notes: [] }
  for (const request of requests) {
    const matches = request.regenerate ? [] : earlier.filter(e => e.hash === request.hash)
    const done = matches.find(e => e.state === 'done')
    const rendering = matches.find(e => e.state === 'rendering')
    if (done) {
      plan.jobs.push({ request, resumeId: done.requestId, reuse: true })
      plan.notes.push(
        `${request.file}: unchanged since request ${done.requestId} (${done.from}): reusing its video`
      )
    } else if (rendering) {
      plan.jobs.push({ request, resumeId: rendering.requestId })
      plan.resumed.add(request.file)
      plan.notes.push(
        `${request.file}: request ${rendering.requestId} (${rendering.from}) was still rendering: resuming it`
      )
    } else {
      plan.jobs.push({ request })
    }
  }
  return plan
}

/** The entries of a comment's hidden state that name a request worth reusing or resuming. */
export function earlierFromState(entries: SavedEntry[], from: string): Earlier[] {
  return entries.flatMap(entry => {
    const state = SUCCEEDED.has(entry.status)
      ? 'done'
      : RENDERING.has(entry.status)
        ? 'rendering'
        : null
    return entry.request_id && state
      ? [{ hash: entry.hash, requestId: entry.request_id, state, from }]
      : []
  })
}

/** Whether a request still needs an earlier finished video to be found for it. */
export function wantsEarlierVideo(request: VideoRequest, earlier: Earlier[]): boolean {
  return !request.regenerate && !earlier.some(e => e.hash === request.hash)
}
