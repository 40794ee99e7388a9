// The minutes budget: which scripts a run submits under max-minutes, and what it says of them.
import { describe, expect, it } from '@jest/globals'
import { fitBudget, overNote, selectionBudget, shardsBudget, withinBudget } from '../src/budget.js'
import { budgetLine } from '../src/publish/budget.js'
import { rowsFor } from '../src/rows.js'
import type { Job } from '../src/queue/generate.js'
import type { ScriptOutcome, VideoRequest } from '../src/types.js'
import { captureWorkflowCommands } from './setup/workflow-commands.js'

function request(file: string, minutes: number): VideoRequest {
  return {
    file,
    title: file,
    model: 'heygen-avatar-4',
    payload: {},
    hash: file.padEnd(64, '0'),
    regenerate: false,
    estimatedSeconds: minutes * 60
  }
}

const submit = (file: string, minutes: number): Job => ({ request: request(file, minutes) })
const reuse = (file: string, minutes: number): Job => ({
  request: request(file, minutes),
  resumeId: `earlier-${file}`,
  reuse: true
})
const resume = (file: string, minutes: number): Job => ({
  request: request(file, minutes),
  resumeId: `earlier-${file}`
})
const files = (jobs: Job[]) => jobs.map(job => job.request.file)

describe('fitting a run under max-minutes', () => {
  it('keeps everything, and still estimates it, without a cap', () => {
    const fitted = fitBudget([submit('a', 1), submit('b', 2.5)], null)
    expect(files(fitted.jobs)).toEqual(['a', 'b'])
    expect(fitted.budget).toEqual({
      estimatedSeconds: 210,
      scripts: 2,
      capMinutes: null,
      over: 0,
      dryRun: false
    })
  })

  it('takes scripts in order and stops at the first that does not fit, even before a shorter one', () => {
    const fitted = fitBudget([submit('a', 1), submit('b', 2), submit('c', 0.5)], 2.5)
    expect(files(fitted.jobs)).toEqual(['a'])
    expect(files(fitted.over)).toEqual(['b', 'c'])
    expect(fitted.budget).toMatchObject({ estimatedSeconds: 210, scripts: 3, over: 2 })
  })

  it('fits a script that takes the cap exactly, rounding aside', () => {
    const tenths = [0.1, 0.2, 0.3].map((m, i) => submit(`s${i}`, m / 60))
    expect(fitBudget(tenths, 0.6 / 60).over).toEqual([])
    expect(fitBudget([submit('a', 2.5)], 2.5).over).toEqual([])
  })

  it('counts reused and resumed videos for nothing, and always keeps them', () => {
    const jobs = [reuse('a', 9), resume('b', 9), submit('c', 2), submit('d', 1)]
    const fitted = fitBudget(jobs, 2)
    expect(files(fitted.jobs)).toEqual(['a', 'b', 'c'])
    expect(files(fitted.over)).toEqual(['d'])
    expect(fitted.budget).toMatchObject({ estimatedSeconds: 180, scripts: 2, over: 1 })
  })

  it("skips the rows past the cap, with a note naming their estimate, the run's and the cap", () => {
    const outcomes: ScriptOutcome[] = [request('a', 1), request('b', 2)].map(r => ({
      ok: true,
      request: r,
      warnings: []
    }))
    const rows = rowsFor(outcomes, false)
    const commands = captureWorkflowCommands()
    const { jobs, budget } = withinBudget([submit('a', 1), submit('b', 2)], rows, 2.5)
    expect(files(jobs)).toEqual(['a'])
    expect(rows[0]).toMatchObject({ pending: true, status: 'skipped', error: null })
    expect(rows[1]).toMatchObject({ pending: false, status: 'skipped' })
    expect(rows[1]!.error).toBe(overNote(120, budget))
    expect(rows[1]!.error).toBe(
      'over max-minutes (≈ 2.0 min; run ≈ 3.0 min estimated, cap 2.5 min): not submitted. Raise max-minutes, or run the workflow manually (workflow_dispatch), to render it'
    )
    expect(commands).toEqual([
      '::notice::1 of 2 scripts to render is past max-minutes and not submitted: ≈ 3.0 min estimated for 2 scripts · cap 2.5 min. Raise max-minutes, or run the workflow manually (workflow_dispatch) for them.'
    ])
  })
})

describe("a dry run's estimate", () => {
  it('covers every valid script of the selection, before reuse', () => {
    const outcomes: ScriptOutcome[] = [
      { ok: true, request: request('a', 1), warnings: [] },
      { ok: false, file: 'bad', problems: [], warnings: [] },
      { ok: true, request: request('c', 2), warnings: [] }
    ]
    expect(selectionBudget(rowsFor(outcomes, true), 1.5)).toEqual({
      estimatedSeconds: 180,
      scripts: 2,
      capMinutes: 1.5,
      over: 1,
      dryRun: true
    })
  })
})

describe("a matrix's estimate", () => {
  it("adds up the shards' estimates under a cap per shard", () => {
    const shards = [
      { estimatedSeconds: 90, scripts: 2, over: 1 },
      null,
      { estimatedSeconds: 30, scripts: 1, over: 0 }
    ]
    const budget = shardsBudget(shards, 1)
    expect(budget).toEqual({
      estimatedSeconds: 120,
      scripts: 3,
      capMinutes: 1,
      over: 1,
      dryRun: false,
      perShard: true
    })
    expect(budgetLine(budget)).toMatch(
      /^🧮 ≈ 2\.0 min estimated for 3 scripts · cap 1 min per shard: 1 script past it skipped/
    )
    expect(shardsBudget([null, undefined], 1)).toBeNull()
  })
})

describe('the header line', () => {
  const budget = { estimatedSeconds: 750, scripts: 6, capMinutes: 10, over: 0, dryRun: false }

  it('shows the estimate and the cap', () => {
    expect(budgetLine(budget)).toBe('🧮 ≈ 12.5 min estimated for 6 scripts · cap 10 min')
    expect(budgetLine({ ...budget, capMinutes: null })).toBe(
      '🧮 ≈ 12.5 min estimated for 6 scripts'
    )
  })

  it('says what the cap left out, and how to go on', () => {
    expect(budgetLine({ ...budget, over: 2 })).toBe(
      '🧮 ≈ 12.5 min estimated for 6 scripts · cap 10 min: 2 scripts past it skipped. Raise `max-minutes`, or run the workflow manually (`workflow_dispatch`), to render them'
    )
    expect(budgetLine({ ...budget, over: 1, dryRun: true })).toBe(
      '🧮 ≈ 12.5 min estimated for 6 scripts, before reuse · cap 10 min: a run would leave 1 script past it unsubmitted (fewer when videos are reused)'
    )
  })

  it('is left out when there is nothing to pay for and no cap', () => {
    expect(budgetLine(null)).toBe('')
    expect(budgetLine({ ...budget, scripts: 0, estimatedSeconds: 0, capMinutes: null })).toBe('')
  })
})
