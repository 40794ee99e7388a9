// Cancellation: the runner sends SIGINT, then SIGTERM, and kills the step about 10 s later. What is
// in flight is abandoned, and what is known is published in the time left.
import { log } from './log.js'

/**
 * GitHub calls still running this long after a cancellation are cut off: the runner kills the
 * step about 10 s after its first signal, and the comment and outputs must be written by then.
 */
const LAST_CALLS_MS = 6000

export interface Cancellation {
  /** Aborted when the runner cancels the job. */
  signal: AbortSignal
  /** Aborted LAST_CALLS_MS after that: ends every GitHub call still running. */
  lastCalls: AbortSignal
  dispose(): void
}

/** The runner sends SIGINT, then SIGTERM, when a job is cancelled: stop and publish what is known. */
export function watchCancellation(): Cancellation {
  const controller = new AbortController()
  const lastCalls = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const onSignal = (name: string) => () => {
    if (controller.signal.aborted) return
    log.warning(`Received ${name}: stopping, and publishing what is known so far`)
    controller.abort('cancelled')
    timer = setTimeout(() => lastCalls.abort('cancelled'), LAST_CALLS_MS)
    timer.unref()
  }
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') }
  process.on('SIGINT', handlers.SIGINT)
  process.on('SIGTERM', handlers.SIGTERM)
  return {
    signal: controller.signal,
    lastCalls: lastCalls.signal,
    dispose() {
      clearTimeout(timer)
      process.off('SIGINT', handlers.SIGINT)
      process.off('SIGTERM', handlers.SIGTERM)
    }
  }
}

/** `work`, or `fallback()` as soon as the run is cancelled: the work is then left to the exit. */
export async function unlessCancelled<T>(
  work: Promise<T>,
  signal: AbortSignal,
  fallback: () => T
): Promise<T> {
  if (signal.aborted) return fallback()
  let onAbort: () => void = () => {}
  const cancelled = new Promise<T>(resolve => {
    onAbort = () => resolve(fallback())
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([work, cancelled])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
