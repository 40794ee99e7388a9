// Submits every video request and polls them all in one loop until each is terminal,
// the global deadline passes, or the run is cancelled. Never submits the same video twice.
import type { VideoRequest } from '../types.js'
import { hashRequest } from '../script/index.js'
import { shownOf, type QueueClient, type RemoteRequest, type RequestList } from './client.js'
import { QueueError, sleep as defaultSleep, type Sleep } from './http.js'
import { createLimiter } from './limiter.js'
import { rateLimitOfRequest, rateLimitOfSubmission } from './rate-limit.js'
import { createRenderSpeed, nextDelay } from './schedule.js'
import { fromRemote, notGenerated } from './outcome.js'

export interface Job {
  request: VideoRequest
  /** A request an earlier run started: polled by id instead of submitted. */
  resumeId?: string
  /**
   * The earlier request succeeded: reuse it if it still answers `success` (its fresh media URLs
   * replace the expired ones), and submit anew otherwise.
   */
  reuse?: boolean
}

/** `skipped`: not submitted, because the queue's rate limit was reached; the next run submits it. */
export type GeneratedStatus = 'success' | 'reused' | 'failed' | 'cancelled' | 'timeout' | 'skipped'

export interface Generated {
  file: string
  status: GeneratedStatus
  requestId: string | null
  videoUrl: string | null
  /** Every media URL of the outcome, the video first; null without a video. */
  mediaUrls: string[] | null
  thumbnailUrl: string | null
  duration: number | null
  error: string | null
}

/** A state change of one job, for logs and the live comment. */
export interface Progress {
  file: string
  /** Remote status (`queued`, `processing`, …) or the final status. */
  status: string
  requestId: string | null
  final: Generated | null
}

export interface GenerateOptions {
  client: QueueClient
  maxConcurrency: number
  /** Seconds before the first poll of a request. */
  pollInterval: number
  /** Seconds for the whole generation phase. */
  timeout: number
  /** Aborted when the runner cancels the job. */
  signal?: AbortSignal
  onProgress?: (progress: Progress) => void
  /** Called every `summaryEvery` seconds with counts, for long runs. */
  onSummary?: (counts: Record<string, number>) => void
  summaryEvery?: number
  /** Told why an earlier request was not reused or resumed after all. */
  warn?: (message: string) => void
  /**
   * What `max-minutes` leaves to pay for (absent: no cap). An earlier video found gone is
   * submitted anew only if `take` grants its estimated seconds; otherwise it ends `skipped`
   * with `overCap`'s note.
   */
  budget?: { take: (seconds: number) => boolean; overCap: (seconds: number) => string }
  /** Told what the log should show, e.g. a lost submission looked for in a partial list. */
  log?: (message: string) => void
  /**
   * Told once when the queue refuses the key mid-run (a 401 or 403 on a poll): nothing more is
   * submitted or polled, and what still renders keeps its request id for the next run.
   */
  onRefused?: (message: string) => void
  /**
   * Told once when the queue's rate limit is reached (a 429 that is not ridden out, or a request
   * failed for its rate limit or quota): nothing more is submitted, and the scripts not yet
   * submitted end `skipped`, for the next run.
   */
  onRateLimited?: (message: string) => void
  /**
   * The clock, for tests that drive time (both or neither): the deadline is then this clock's,
   * reached when a wait ends past it, and no real timer runs.
   */
  sleep?: Sleep
  now?: () => number
}

/** HTTP statuses after which no further submission can succeed. */
const FATAL_SUBMIT = new Set([401, 402, 403])
/** HTTP statuses of a poll that say the key is refused: polling on cannot succeed either. */
const REFUSED = new Set([401, 403])
const CLOCK_SKEW_SECONDS = 60
/**
 * A request this run created may answer 404 for a while before the queue's reads see it: it was
 * paid for, so it is polled on, not failed, this long after its submission (issue 13, point 7).
 */
const NOT_YET_VISIBLE_MS = 120_000
/**
 * Request lists in a row that showed none of the requests being polled (or failed) before the
 * run stops asking for them and polls each request by its id: the list's paging and fields are
 * undocumented (request-queue.md, "Evidence from live clients": list paging).
 */
const LIST_STRIKES = 3

interface Tracked {
  job: Job
  requestId: string
  status: string
  polls: number
  nextPollAt: number
  /** Why the last poll failed, for the timeout message; cleared by an answer. */
  pollError: string | null
  /** When this run submitted the request (null: an earlier run's request). */
  submittedAt: number | null
  /** The next read must be by id: the list showed it ended without its outcome. */
  byId: boolean
}

export async function generate(jobs: Job[], options: GenerateOptions): Promise<Generated[]> {
  const now = options.now ?? Date.now
  const wait = options.sleep ?? defaultSleep
  const limit = createLimiter(options.maxConcurrency)
  const started = now()
  const intervalMs = options.pollInterval * 1000

  // Ends every wait early at the deadline or on cancellation. The real timer also ends a call
  // in flight at the deadline; on an injected clock the loop checks the deadline as it wakes.
  const stop = new AbortController()
  const deadline = started + options.timeout * 1000
  const deadlineTimer = options.now
    ? undefined
    : setTimeout(() => stop.abort('timeout'), options.timeout * 1000)
  const onCancel = () => stop.abort('cancelled')
  options.signal?.addEventListener('abort', onCancel, { once: true })
  if (options.signal?.aborted) onCancel()

  const results = new Map<string, Generated>()
  const pending = new Map<string, Tracked>()
  const claimed = new Set<string>()
  let wake: () => void = () => {}
  let fatal: string | null = null
  /** Why nothing more is submitted, once the queue's rate limit is reached. */
  let rateLimited: string | null = null
  const noteRateLimit = (why: string) => {
    if (rateLimited) return
    rateLimited = why
    options.onRateLimited?.(why)
  }

  const speed = createRenderSpeed()
  /** Request lists in a row that showed none of the requests polled; LIST_STRIKES end listing. */
  let listStrikes = 0
  const timingOf = (tracked: Tracked) => ({
    submittedAt: tracked.submittedAt,
    polls: tracked.polls,
    estimatedSeconds: tracked.job.request.estimatedSeconds
  })
  /** Requests not ended yet, submitted or not: when one is left, the run waits on it alone. */
  const rendering = () => jobs.length - results.size
  const delayOf = (tracked: Tracked) => {
    const timing = timingOf(tracked)
    return nextDelay(timing, now(), intervalMs, speed.expectedEnd(timing), rendering())
  }
  const schedule = (tracked: Tracked) => {
    tracked.nextPollAt = now() + delayOf(tracked)
  }

  const finish = (generated: Generated) => {
    results.set(generated.file, generated)
    pending.delete(generated.file)
    // The one left may now be polled more often, as the run waits on it alone.
    const [last] = rendering() === 1 ? pending.values() : []
    if (last) last.nextPollAt = Math.min(last.nextPollAt, now() + delayOf(last))
    options.onProgress?.({
      file: generated.file,
      status: generated.status,
      requestId: generated.requestId,
      final: generated
    })
  }

  /** The end of a request: a failure for the queue's rate limit also stops further submissions. */
  const ended = (file: string, remote: RemoteRequest) => {
    const limit = rateLimitOfRequest(remote)
    if (limit) noteRateLimit(limitedRequest(remote.requestId, limit))
    finish(fromRemote(file, remote))
  }

  const track = (job: Job, remote: RemoteRequest) => {
    claimed.add(remote.requestId)
    if (remote.terminal) return ended(job.request.file, remote)
    const tracked: Tracked = {
      job,
      requestId: remote.requestId,
      status: remote.status,
      polls: 0,
      nextPollAt: now(),
      pollError: null,
      submittedAt: now(),
      byId: false
    }
    // The first poll: a poll interval, or timed from the render speed seen so far.
    schedule(tracked)
    pending.set(job.request.file, tracked)
    options.onProgress?.({
      file: job.request.file,
      status: remote.status,
      requestId: remote.requestId,
      final: null
    })
    wake()
  }

  const submitOne = async (job: Job): Promise<void> => {
    const { file } = job.request
    if (job.resumeId) {
      claimed.add(job.resumeId)
      pending.set(file, {
        job,
        requestId: job.resumeId,
        status: 'resumed',
        polls: 0,
        nextPollAt: now(),
        pollError: null,
        submittedAt: null,
        byId: true
      })
      wake()
      return
    }
    try {
      const remote = await limit(async () => {
        if (stop.signal.aborted) throw notSent()
        if (fatal) throw new QueueError(fatal, undefined)
        if (rateLimited) throw new RateLimited(rateLimited)
        try {
          const remote = await submitOnce(job.request)
          // Noted before the slot is released, so the next submission in line sees it.
          const limit = rateLimitOfRequest(remote)
          if (limit) {
            noteRateLimit(limitedRequest(remote.requestId, limit))
          }
          return remote
        } catch (error) {
          // Noted before the slot is released, so the next submission in line sees it.
          if (error instanceof QueueError && error.status && FATAL_SUBMIT.has(error.status)) {
            fatal ??= `not submitted: an earlier submission was refused (${error.message})`
          }
          const limit = rateLimitOfSubmission(error)
          if (limit) {
            noteRateLimit(limit)
            throw new RateLimited(limit)
          }
          throw error
        }
      })
      track(job, remote)
    } catch (error) {
      if (error instanceof RateLimited) {
        return finish({
          ...notGenerated(file),
          status: 'skipped',
          error: `not submitted: ${error.message}; the next run submits it`
        })
      }
      const message = (error as Error).message
      const stopped = error instanceof QueueError && error.stopped
      finish({
        ...notGenerated(file),
        status: stopped ? stopStatus() : 'failed',
        error: stopped ? stoppedMessage(error) : message
      })
    }
  }

  /**
   * One submission. When its answer is lost, the HTTP policy looks in the request list for the
   * request it may have created (`adopt`) before sending again: a blind resend could pay twice.
   */
  const submitOnce = (request: VideoRequest): Promise<RemoteRequest> => {
    // Clocks differ: a request listed as created up to a minute before the send may be ours.
    const earliest = Math.floor(now() / 1000) - CLOCK_SKEW_SECONDS
    const adopt = (listed: RequestList) => {
      if (!listed.complete) {
        options.log?.(
          `${request.file}: looking for the request a lost submission may have created, in a request list that shows ${shownOf(listed)}`
        )
      }
      const own = listed.requests.find(
        r =>
          !claimed.has(r.requestId) &&
          r.payload !== undefined &&
          (r.createdAt === null || r.createdAt >= earliest) &&
          hashRequest(request.model, r.payload) === request.hash
      )
      // Claimed at once, so two identical scripts whose answers were both lost adopt one each.
      if (own) claimed.add(own.requestId)
      return own
    }
    return options.client.submit(request.model, request.payload, { signal: stop.signal, adopt })
  }

  const stopStatus = (): GeneratedStatus =>
    stop.signal.reason === 'cancelled'
      ? 'cancelled'
      : stop.signal.reason === 'refused'
        ? 'failed'
        : 'timeout'
  const stoppedWhat = () =>
    stop.signal.reason === 'cancelled'
      ? 'was cancelled'
      : stop.signal.reason === 'refused'
        ? 'was refused by the request queue'
        : `timed out after ${options.timeout} s`
  const notSent = () => new QueueError('not sent', undefined, { stopped: true })
  const stoppedMessage = (error: QueueError) =>
    error.ambiguous
      ? `the run ${stoppedWhat()} before it was known whether the submission was created (${error.message})`
      : `not submitted before the run ${stoppedWhat()}`

  // An earlier video that no longer answers `success` is generated again.
  const resubmit = async (tracked: Tracked): Promise<void> => {
    const { file, estimatedSeconds } = tracked.job.request
    pending.delete(file)
    const { budget } = options
    if (budget && !budget.take(estimatedSeconds)) {
      const error = budget.overCap(estimatedSeconds)
      return finish({ ...notGenerated(file), status: 'skipped', error })
    }
    return submitOne({ request: tracked.job.request })
  }

  /** A 401 or 403 on a poll: the key is refused, and nothing more can be polled. */
  const refused = (error: unknown): boolean => {
    if (!(error instanceof QueueError && error.status && REFUSED.has(error.status))) return false
    fatal ??= `the request queue refused the API key (${error.message})`
    options.onRefused?.(fatal)
    stop.abort('refused')
    return true
  }

  const pollOne = async (tracked: Tracked): Promise<void> => {
    const { file } = tracked.job.request
    tracked.byId = false
    let remote: RemoteRequest
    try {
      remote = await limit(() => options.client.get(tracked.requestId, stop.signal))
    } catch (error) {
      if (stop.signal.aborted || refused(error)) return
      const unknown = error instanceof QueueError && error.status === 404
      if (
        unknown &&
        tracked.submittedAt !== null &&
        now() - tracked.submittedAt < NOT_YET_VISIBLE_MS
      ) {
        tracked.pollError = `not visible in the queue yet (${(error as Error).message})`
        schedule(tracked)
        return
      }
      if (unknown && tracked.job.reuse) return resubmit(tracked)
      if (unknown) {
        return finish({
          ...notGenerated(file),
          status: 'failed',
          requestId: tracked.requestId,
          error: `request ${tracked.requestId} is unknown to the queue: ${(error as Error).message}`
        })
      }
      // A request that cannot be read now may still finish: try again later, until the deadline.
      tracked.pollError = (error as Error).message
      schedule(tracked)
      return
    }
    const mismatch = notTheRequest(tracked, remote)
    if (mismatch && tracked.job.resumeId) {
      // An earlier run's request is taken on trust only when the queue vouches for it.
      options.warn?.(
        `${file}: request ${tracked.requestId} is not ${tracked.job.reuse ? 'reused' : 'resumed'}: ${mismatch}; submitting the script anew`
      )
      return resubmit(tracked)
    }
    if (mismatch) {
      tracked.pollError = mismatch
      schedule(tracked)
      return
    }
    return answered(tracked, remote)
  }

  /** What the queue answered about a request, by its id or in the list. */
  const answered = (tracked: Tracked, remote: RemoteRequest): Promise<void> | void => {
    const { file } = tracked.job.request
    tracked.polls++
    tracked.pollError = null
    if (tracked.job.reuse) {
      const earlier = fromRemote(file, remote)
      if (earlier.status === 'success') return finish({ ...earlier, status: 'reused' })
      return resubmit(tracked)
    }
    if (remote.terminal) {
      if (remote.status === 'success') speed.observe(timingOf(tracked), now())
      return ended(file, remote)
    }
    if (remote.status !== tracked.status) {
      tracked.status = remote.status
      options.onProgress?.({
        file,
        status: remote.status,
        requestId: remote.requestId,
        final: null
      })
    }
    schedule(tracked)
  }

  /**
   * Whether a request may be read from the request list: one this run created, or an earlier
   * run's once a read by its id has vouched for it, while the list keeps showing requests.
   */
  const listable = (tracked: Tracked) =>
    listStrikes < LIST_STRIKES &&
    !tracked.byId &&
    !tracked.job.reuse &&
    (tracked.submittedAt !== null || tracked.polls > 0)

  const strike = (why: string) => {
    if (++listStrikes === LIST_STRIKES) {
      options.log?.(`${why}: each request is polled by its id from now on`)
    }
  }

  /**
   * Reads all of `listed` with one list call per model (its first page only). Returns those the
   * list did not show with a status, for polls by id. One that it shows ended but without its
   * outcome is read once by id.
   */
  const pollByList = async (listed: Tracked[]): Promise<Tracked[]> => {
    const unshown: Tracked[] = []
    for (const model of new Set(listed.map(t => t.job.request.model))) {
      const mine = listed.filter(t => t.job.request.model === model)
      let answer: RequestList
      try {
        answer = await limit(() => options.client.list(model, stop.signal, 1))
      } catch (error) {
        if (stop.signal.aborted || refused(error)) return []
        strike(`the request list could not be read (${(error as Error).message})`)
        unshown.push(...mine)
        continue
      }
      const entries = new Map(answer.requests.map(r => [r.requestId, r]))
      const shown = mine.flatMap(tracked => {
        const entry = entries.get(tracked.requestId)
        return entry && entry.status !== 'unknown' ? [{ tracked, entry }] : []
      })
      if (shown.length) listStrikes = 0
      else strike(`the request list shows none of the ${mine.length} requests being polled`)
      unshown.push(...mine.filter(t => !shown.some(s => s.tracked === t)))
      // Ended ones first: the rest are then scheduled knowing whether one of them is the last.
      shown.sort((a, b) => Number(b.entry.terminal) - Number(a.entry.terminal))
      for (const { tracked, entry } of shown) {
        if (entry.terminal && !outcomeShown(entry)) {
          tracked.byId = true
          tracked.nextPollAt = now()
        } else await answered(tracked, entry)
      }
    }
    return unshown
  }

  /** Polls what is due: by one list call when it covers more than one request, else by id. */
  const pollDue = async (due: Tracked[]): Promise<void> => {
    const listed = [...pending.values()].filter(listable)
    if (listed.length < 2 || !due.some(t => listed.includes(t))) {
      await Promise.all(due.map(pollOne))
      return
    }
    const [unshown] = await Promise.all([
      pollByList(listed),
      Promise.all(due.filter(t => !listed.includes(t)).map(pollOne))
    ])
    const stillDue = unshown.filter(
      t => due.includes(t) && pending.get(t.job.request.file) === t && !stop.signal.aborted
    )
    await Promise.all(stillDue.map(pollOne))
  }

  let lastSummary = started
  const summaryEveryMs = (options.summaryEvery ?? 60) * 1000
  const summarize = () => {
    if (!options.onSummary || now() - lastSummary < summaryEveryMs) return
    lastSummary = now()
    const counts: Record<string, number> = { done: results.size, total: jobs.length }
    for (const tracked of pending.values())
      counts[tracked.status] = (counts[tracked.status] ?? 0) + 1
    const submitting = jobs.length - results.size - pending.size
    if (submitting > 0) counts.submitting = submitting
    options.onSummary(counts)
  }

  let submitting = true
  const submissions = Promise.all(jobs.map(submitOne)).finally(() => {
    submitting = false
    wake()
  })

  try {
    while ((submitting || pending.size) && !stop.signal.aborted) {
      if (now() >= deadline) {
        stop.abort('timeout')
        break
      }
      const due = [...pending.values()].filter(t => t.nextPollAt <= now())
      if (due.length) {
        await pollDue(due)
        summarize()
        continue
      }
      // Sleep until the next poll is due, a submission lands, or the run stops.
      const next = Math.min(...[...pending.values()].map(t => t.nextPollAt))
      const nap = new AbortController()
      wake = () => nap.abort()
      const delay = Math.max(
        0,
        Math.min(Number.isFinite(next) ? next : now() + 60_000, deadline) - now()
      )
      await wait(delay, AbortSignal.any([stop.signal, nap.signal])).catch(() => {})
    }
    await submissions
  } finally {
    clearTimeout(deadlineTimer)
    options.signal?.removeEventListener('abort', onCancel)
  }

  // Whatever is still rendering keeps its request id, so a later run can resume it. Even on
  // cancellation the status is `timeout`, not `cancelled`: the remote request runs on and was
  // paid for, and `timeout` is what the next run resumes instead of submitting again.
  for (const tracked of pending.values()) {
    const lastPoll = tracked.pollError ? ` (last poll: ${tracked.pollError})` : ''
    const resumes = `the next run resumes request ${tracked.requestId}`
    finish({
      ...notGenerated(tracked.job.request.file),
      status: 'timeout',
      requestId: tracked.requestId,
      error:
        stop.signal.reason === 'cancelled'
          ? `the run was cancelled while the video was ${tracked.status}; ${resumes}`
          : stop.signal.reason === 'refused'
            ? `${fatal} while the video was ${tracked.status}; ${resumes}`
            : `still ${tracked.status} after ${options.timeout} s${lastPoll}; ${resumes}`
    })
  }
  return jobs.map(
    job =>
      results.get(job.request.file) ?? {
        ...notGenerated(job.request.file),
        status: 'failed',
        error: 'no result'
      }
  )
}

/**
 * Why `remote` is not an answer about the request `tracked` polls, or null when it is: the queue
 * answered for another request id, or echoed a payload that is not the script's (checked for
 * earlier runs' requests, which were read from a comment; a fresh submission's echo may be
 * normalised by the queue, and its id is enough).
 */
function notTheRequest(tracked: Tracked, remote: RemoteRequest): string | null {
  if (remote.requestId !== tracked.requestId) {
    return `the queue answered for another request (${remote.requestId})`
  }
  const { request, resumeId } = tracked.job
  if (resumeId && remote.payload !== undefined && !sameRequest(request, remote.payload)) {
    return 'the queue shows another payload for it than this script sends'
  }
  return null
}

function sameRequest(request: VideoRequest, payload: unknown): boolean {
  try {
    return hashRequest(request.model, payload) === request.hash
  } catch {
    return false
  }
}

/**
 * Whether a list entry of an ended request carries what a read by id would: the video of a
 * success, the outcome or reason of a failure.
 */
function outcomeShown(remote: RemoteRequest): boolean {
  if (remote.status === 'success') return remote.videoUrl !== null
  return remote.reason !== null || remote.outcomeKeys !== null
}

/** A submission not made because the queue's rate limit was reached. */
class RateLimited extends Error {}

function limitedRequest(requestId: string, reason: string): string {
  return `the request queue's rate limit was reached (request ${requestId} failed: ${reason})`
}
