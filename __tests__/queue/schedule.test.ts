// When a request is polled next: backing off before any render speed is known, then thickening
// towards its expected end, and more so for the last request of the run.
import { describe, expect, it } from '@jest/globals'
import { createRenderSpeed, nextDelay, type Timing } from '../../src/queue/schedule.js'

const INTERVAL = 10_000
const timing = (fields: Partial<Timing> = {}): Timing => ({
  submittedAt: 0,
  estimatedSeconds: 60,
  polls: 0,
  ...fields
})

describe('the render speed seen in the run', () => {
  it('expects nothing before a request has ended', () => {
    expect(createRenderSpeed().expectedEnd(timing())).toBeNull()
  })

  it("expects each request's end from its spoken length at the slowest speed seen", () => {
    const speed = createRenderSpeed()
    // 60 spoken seconds rendered in 300 s, then in 600 s: 10 s a spoken second.
    speed.observe(timing(), 300_000)
    speed.observe(timing({ submittedAt: 100_000 }), 700_000)
    speed.observe(timing(), 200_000)

    expect(speed.expectedEnd(timing({ submittedAt: 50_000, estimatedSeconds: 30 }))).toBe(350_000)
    // An earlier run's request: its start is unknown, so is its end.
    expect(speed.expectedEnd(timing({ submittedAt: null }))).toBeNull()
  })

  it("learns nothing from an earlier run's request", () => {
    const speed = createRenderSpeed()
    speed.observe(timing({ submittedAt: null }), 300_000)
    expect(speed.expectedEnd(timing())).toBeNull()
  })
})

describe('the delay before the next poll', () => {
  it('backs off from the poll interval by 1.5× up to 6× without an expected end', () => {
    const delays = [0, 1, 2, 3, 4, 5, 9].map(polls =>
      nextDelay(timing({ polls }), 0, INTERVAL, null, 50)
    )
    expect(delays).toEqual([10_000, 15_000, 22_500, 33_750, 50_625, 60_000, 60_000])
  })

  it('halves the time to the expected end, within one and six intervals', () => {
    const end = 600_000
    const at = (now: number) => nextDelay(timing(), now, INTERVAL, end, 2)
    expect(at(0)).toBe(60_000)
    expect(at(500_000)).toBe(50_000)
    expect(at(580_000)).toBe(10_000)
    expect(at(600_000)).toBe(10_000)
    // Past it, thinning out again as the estimate was wrong.
    expect(at(640_000)).toBe(20_000)
    expect(at(2_000_000)).toBe(60_000)
  })

  it('polls no request more than once an interval per two still rendering', () => {
    const at = (rendering: number) => nextDelay(timing(), 600_000, INTERVAL, 600_000, rendering)
    expect([1, 2, 3, 4, 8, 12, 50].map(at)).toEqual([
      2_500, 10_000, 15_000, 20_000, 40_000, 60_000, 60_000
    ])
  })

  it('polls the last request up to four times an interval near its expected end', () => {
    const end = 600_000
    const at = (now: number) => nextDelay(timing(), now, INTERVAL, end, 1)
    expect(at(590_000)).toBe(5_000)
    expect(at(600_000)).toBe(2_500)
    // Past the end, slowly thinning out: a fraction of the time past it.
    expect(at(620_000)).toBe(2_500)
    expect(at(680_000)).toBe(10_000)
    // Beyond a quarter of its expected render time from the end, as any other request.
    expect(at(0)).toBe(60_000)
    expect(at(800_000)).toBe(60_000)
  })
})
