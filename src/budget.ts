// The minutes budget (`max-minutes`): what a run would pay for, in estimated spoken minutes, and
// which scripts fit under the cap. Reused videos and resumed requests were paid for by an earlier
// run: they are free, and count for nothing.
import type { Job } from './queue/generate.js'
import { info, log } from './log.js'
import type { Row } from './types.js'

/** What the comment's header and the job summary say about the run's minutes. */
export interface Budget {
  /**
   * Estimated seconds of what the run would pay for, before the cap: the scripts to submit, or,
   * in a dry run, every valid script of the selection (reuse is not looked up then).
   */
  estimatedSeconds: number
  /** The scripts that estimate is of. */
  scripts: number
  /** `max-minutes`; null: no cap. */
  capMinutes: number | null
  /** Scripts past the cap: not submitted (a dry run: that a run would not submit, at most). */
  over: number
  dryRun: boolean
  /** The sum of a matrix's shards, each capped on its own: the cap is per shard. */
  perShard?: boolean
}

/** What a shard hands the aggregate job of its budget; the cap is every job's same input. */
export type ShardBudget = Pick<Budget, 'estimatedSeconds' | 'scripts' | 'over'>

/** Rounding in the estimates (tenths of a second) never tips a script over the cap. */
const EPSILON_SECONDS = 1e-6

/**
 * Splits `jobs` into those that fit under `capMinutes` and those past it. The scripts to submit
 * are taken in the order given (the selection's), and the first that does not fit ends the
 * budget: every later one is past it too, even a shorter one, so that what is rendered is always
 * the front of the list, and a re-run (which reuses it for free) goes on where this one stopped.
 * Reused and resumed jobs always stay, and count for nothing.
 */
export function fitBudget(
  jobs: Job[],
  capMinutes: number | null
): { jobs: Job[]; over: Job[]; budget: Budget } {
  const paid = jobs.filter(job => !job.resumeId)
  const cap = capMinutes === null ? Infinity : capMinutes * 60
  const fits = frontThatFits(
    paid.map(job => job.request.estimatedSeconds),
    cap
  )
  const over = new Set(paid.slice(fits))
  const budget: Budget = {
    estimatedSeconds: sum(paid.map(job => job.request.estimatedSeconds)),
    scripts: paid.length,
    capMinutes,
    over: over.size,
    dryRun: false
  }
  return { jobs: jobs.filter(job => !over.has(job)), over: [...over], budget }
}

/**
 * A dry run's budget: every valid script of the selection, as if none were reused, and how many
 * a run would leave past the cap at most (fewer when earlier videos are reused).
 */
export function selectionBudget(rows: Row[], capMinutes: number | null): Budget {
  const seconds = rows.flatMap(row => (row.estimatedSeconds === null ? [] : [row.estimatedSeconds]))
  const cap = capMinutes === null ? Infinity : capMinutes * 60
  return {
    estimatedSeconds: sum(seconds),
    scripts: seconds.length,
    capMinutes,
    over: seconds.length - frontThatFits(seconds, cap),
    dryRun: true
  }
}

/**
 * Fits the jobs to the cap: the rows of those past it end `skipped`, with a note that says why and
 * how to go on. Returns the jobs to run and the budget for the report.
 */
export function withinBudget(
  jobs: Job[],
  rows: Row[],
  capMinutes: number | null
): { jobs: Job[]; budget: Budget; left: Left | undefined } {
  const fitted = fitBudget(jobs, capMinutes)
  const { budget } = fitted
  info(`Estimate: ${budgetText(budget)}`)
  const past = new Set(fitted.over.map(job => job.request.file))
  for (const row of rows.filter(r => past.has(r.file))) {
    row.pending = false
    row.remoteStatus = undefined
    row.status = 'skipped'
    row.error = overNote(row.estimatedSeconds ?? 0, budget)
  }
  if (budget.over) {
    log.notice(
      `${budget.over} of ${budget.scripts} scripts to render ${budget.over === 1 ? 'is' : 'are'} past max-minutes and not submitted: ${budgetText(budget)}. Raise max-minutes, or run the workflow manually (workflow_dispatch) for them.`
    )
  }
  return { jobs: fitted.jobs, budget, left: leftOf(fitted.jobs, budget) }
}

/** What the cap leaves once the jobs that fit are paid for, for the generation to draw on. */
export interface Left {
  /** Whether `seconds` more fit under the cap; if so, they are taken from what is left. */
  take(seconds: number): boolean
  /** Why a script was not submitted anew after all: its row's note. */
  overCap(seconds: number): string
}

/**
 * A reused video or a resumed request can turn out unusable once polled (gone, or another
 * payload's); submitting its script anew
 * is paid for, so it is only done while its estimate fits in what the cap leaves. Undefined
 * without a cap.
 */
function leftOf(jobs: Job[], budget: Budget): Left | undefined {
  if (budget.capMinutes === null) return undefined
  const paid = sum(jobs.filter(job => !job.resumeId).map(job => job.request.estimatedSeconds))
  let left = budget.capMinutes * 60 - paid
  return {
    take(seconds) {
      if (seconds > left + EPSILON_SECONDS) return false
      left -= seconds
      return true
    },
    overCap: seconds =>
      `its earlier video is not usable, and rendering it anew (≈ ${minutes(seconds)} min) would pass max-minutes (cap ${capText(budget)} min): not submitted. Raise max-minutes, or run the workflow manually (workflow_dispatch), to render it`
  }
}

/**
 * A matrix's budget, for the aggregate job: the sum of its shards', or null when none reported
 * one (none generated), as one job doing all the work would have shown.
 */
export function shardsBudget(
  shards: Array<ShardBudget | null | undefined>,
  capMinutes: number | null
): Budget | null {
  const known = shards.filter((shard): shard is ShardBudget => !!shard)
  if (!known.length) return null
  return {
    estimatedSeconds: sum(known.map(shard => shard.estimatedSeconds)),
    scripts: sum(known.map(shard => shard.scripts)),
    capMinutes,
    over: sum(known.map(shard => shard.over)),
    dryRun: false,
    perShard: true
  }
}

/** Why a script past the cap was not submitted, and how to go on: its row's note. */
export function overNote(seconds: number, budget: Budget): string {
  return `over max-minutes (≈ ${minutes(seconds)} min; run ≈ ${minutes(budget.estimatedSeconds)} min estimated, cap ${capText(budget)} min): not submitted. Raise max-minutes, or run the workflow manually (workflow_dispatch), to render it`
}

/** `≈ 12.5 min estimated for 6 scripts · cap 10 min` */
export function budgetText(budget: Budget): string {
  const count = `${budget.scripts} ${budget.scripts === 1 ? 'script' : 'scripts'}`
  const estimate = `≈ ${minutes(budget.estimatedSeconds)} min estimated for ${count}`
  const reuse = budget.dryRun ? ', before reuse' : ''
  return budget.capMinutes === null
    ? `${estimate}${reuse}`
    : `${estimate}${reuse} · cap ${capText(budget)} min${budget.perShard ? ' per shard' : ''}`
}

/** The cap as the workflow wrote it: `10`, `2.5`. */
function capText(budget: Budget): string {
  return String(budget.capMinutes)
}

function minutes(seconds: number): string {
  return (seconds / 60).toFixed(1)
}

/** How many of `seconds`, taken in order, fit under `cap` before the first that does not. */
function frontThatFits(seconds: number[], cap: number): number {
  let spent = 0
  for (const [index, each] of seconds.entries()) {
    if (spent + each > cap + EPSILON_SECONDS) return index
    spent += each
  }
  return seconds.length
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}
