// When to poll a request next. Before any request of the run has ended, polls back off from the
// poll interval; once some have, each request's end is expected from its script's spoken length
// and the render speed seen so far, and it is polled most often around that moment.

/** Polls back off by this factor up to `POLL_CAP` poll intervals, so long jobs cost few polls. */
const POLL_GROWTH = 1.5
const POLL_CAP = 6
/**
 * The last request still rendering decides when the run can publish: around its expected end it
 * is polled this many times per poll interval, as one call covers it either way.
 */
const LAST_REQUEST_SPEED_UP = 4
/** Requests rendering per poll interval of the least time between two polls of one of them. */
const RENDERING_PER_INTERVAL = 2

/** What the schedule knows of one request. */
export interface Timing {
  /** When this run submitted it (null: an earlier run's request, whose start is unknown). */
  submittedAt: number | null
  /** The script's estimated spoken length in seconds. */
  estimatedSeconds: number
  /** Answers read so far. */
  polls: number
}

/**
 * The render speed seen in this run: seconds from submission to the end, per spoken second. The
 * slowest seen is expected of the rest, so that no poll is spent before a request can be done.
 */
export function createRenderSpeed() {
  let slowest: number | null = null
  return {
    /** A request this run submitted was seen ended at `endedAt`. */
    observe(timing: Timing, endedAt: number): void {
      if (timing.submittedAt === null) return
      const speed = (endedAt - timing.submittedAt) / spokenMs(timing)
      if (Number.isFinite(speed) && speed > 0) slowest = Math.max(slowest ?? 0, speed)
    },
    /** When the request is expected to end, or null before any speed was seen. */
    expectedEnd(timing: Timing): number | null {
      if (slowest === null || timing.submittedAt === null) return null
      return timing.submittedAt + spokenMs(timing) * slowest
    }
  }
}

export type RenderSpeed = ReturnType<typeof createRenderSpeed>

/**
 * Milliseconds until the next poll of a request at `now`, while `rendering` requests of the run
 * (this one included) have not ended. Without an expected end: the poll interval, growing 1.5×
 * each poll up to 6×. With one: half the time to it (or past it), so polls thicken towards the
 * expected end and thin out again after it; at most 6 intervals apart, and at least one interval
 * for every `RENDERING_PER_INTERVAL` requests rendering: while many render, the end of any one
 * does not end the run. The last one does: within a quarter of its expected render time of its
 * expected end, it is polled up to four times an interval, thinning out slowly past the end.
 */
export function nextDelay(
  timing: Timing,
  now: number,
  intervalMs: number,
  expectedEnd: number | null,
  rendering: number
): number {
  const cap = intervalMs * POLL_CAP
  if (expectedEnd === null) return intervalMs * Math.min(POLL_GROWTH ** timing.polls, POLL_CAP)
  const distance = Math.abs(expectedEnd - now)
  const near = rendering <= 1 && distance <= (expectedEnd - (timing.submittedAt ?? now)) / 4
  if (near) {
    const floor = intervalMs / LAST_REQUEST_SPEED_UP
    return Math.min(Math.max(distance / (now < expectedEnd ? 2 : 8), floor), cap)
  }
  const floor = intervalMs * Math.max(1, rendering / RENDERING_PER_INTERVAL)
  return Math.min(Math.max(distance / 2, floor), cap)
}

/** At least a second: a script of silence or audio only still takes time to render. */
function spokenMs(timing: Timing): number {
  return Math.max(timing.estimatedSeconds, 1) * 1000
}
