// Bounds how many request-queue calls are in flight at once (`max-concurrency`).

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

export function createLimiter(slots: number): Limiter {
  let active = 0
  const waiting: Array<() => void> = []
  return async task => {
    // A freed slot is handed straight to the next waiter, so a newcomer cannot jump in between.
    if (active < slots) active++
    else await new Promise<void>(resolve => waiting.push(resolve))
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}
