// Parses scripts under a time limit. micromark, the Markdown parser, resolves runs of emphasis in
// time that grows faster than their length: a hostile 1 MiB `*a*a*a…` kept it busy for minutes.
// So each script larger than INLINE_BYTES is parsed in a worker thread (the action's own bundle,
// started again), and one that takes longer than PARSE_LIMIT_MS is stopped and reported invalid,
// naming the file, while the others go on. Plain data crosses the thread boundary: text in, the
// outcome out. And a run spends at most PARSE_BUDGET_MS reading scripts in all: many hostile
// scripts, each under the limit, must not cost hours of runner time either.
import { Worker } from 'node:worker_threads'
import type { ScriptDefaults, ScriptOutcome } from '../types.js'
import { parseScript } from './parse.js'

/** Far beyond what any real script needs (milliseconds for a page of Markdown). */
export const PARSE_LIMIT_MS = 5000
/** Parses at once: the machine's cores, as the runners have two to four. */
const WORKERS = 2
/**
 * Scripts up to this size are parsed on the main thread: the worst markup measured takes a few
 * hundred milliseconds at this size (`*a` repeated: ~0.1–0.4 s at 4 KiB, 12 s at 64 KiB), far
 * under the limit, while starting a worker costs half a second of CPU. A spoken minute is ~1 KiB.
 */
export const INLINE_BYTES = 4096
/**
 * CPU a run may spend parsing on the main thread, all scripts together: past it, small scripts go
 * to the workers too, so that many hostile small scripts cannot hold the main thread for long.
 */
export const INLINE_BUDGET_MS = 2000
/**
 * Time a run may spend parsing, all scripts together (the CPU of those parsed here, the time in a
 * worker of the others, a stopped one counting its whole limit): a few seconds for thousands of
 * real scripts, twelve stopped hostile ones. Past it, the scripts not yet parsed are skipped.
 */
export const PARSE_BUDGET_MS = 60_000
/** Sets the budget in milliseconds instead: for tests, which cannot wait a minute for it. */
export const PARSE_BUDGET_VARIABLE = 'AVATAR_VIDEO_PARSE_BUDGET_MS'

export interface ParseRequest {
  file: string
  text: string
  defaults: ScriptDefaults
}

export type Parse = (file: string, text: string, defaults: ScriptDefaults) => Promise<ScriptOutcome>

export interface ParserOptions {
  /** How long one script may take in a worker. */
  limitMs?: number
  /** How long parsing may take in all; by default PARSE_BUDGET_VARIABLE's, else PARSE_BUDGET_MS. */
  budgetMs?: number
  /** Milliseconds of CPU this thread has used: what a parse here costs the budget. */
  cpuMs?: () => number
  /** Told once, when the budget is spent and scripts start being skipped. */
  warn?: (message: string) => void
}

export interface ScriptParser {
  parse: Parse
  /** Stops the workers: the run is done parsing. */
  close(): Promise<void>
}

/** What the worker is started with, to tell it to parse rather than run the action. */
export const PARSER_ROLE = 'avatar-video-action:parse-scripts'

/** What a worker answers: that it took the script, then the outcome. */
type Answer = { started: true } | ScriptOutcome

interface Job extends ParseRequest {
  resolve(outcome: ScriptOutcome): void
}

/**
 * A parser whose work runs in workers started from `entry` (the bundle, which answers to
 * PARSER_ROLE with `serveParsing`). Without an entry (the sources under test), it parses inline.
 */
export function createScriptParser(
  entry: string | URL | null,
  options: ParserOptions = {}
): ScriptParser {
  const limitMs = options.limitMs ?? PARSE_LIMIT_MS
  const budgetMs = options.budgetMs ?? budgetFromEnvironment()
  const cpuMs = options.cpuMs ?? processCpuMs
  let spentMs = 0
  let warned = false
  /** Charges `ms` to the budget; true while some of it is left. */
  const charge = (ms: number) => (spentMs += ms) < budgetMs
  /** The outcome of a script the budget has no time left for, said once in the log. */
  const skip = (file: string): ScriptOutcome => {
    if (!warned) {
      warned = true
      options.warn?.(
        `Reading the scripts took ${seconds(budgetMs)} s in all, this run's budget: those not read yet are skipped; ${SKIPPED_HOW}`
      )
    }
    return skipped(file, budgetMs)
  }
  /** Parses in this thread, charging the CPU it takes. */
  const parseHere = (file: string, text: string, defaults: ScriptDefaults): ScriptOutcome => {
    if (spentMs >= budgetMs) return skip(file)
    const started = cpuMs()
    const outcome = parseNow(file, text, defaults)
    const spent = cpuMs() - started
    charge(spent)
    return outcome
  }
  if (!entry) {
    return {
      parse: async (file, text, defaults) => parseHere(file, text, defaults),
      close: async () => {}
    }
  }
  const queue: Job[] = []
  let inlineMs = 0
  const idle: Worker[] = []
  const all = new Set<Worker>()

  const start = (): Worker => {
    const worker = new Worker(entry, { workerData: { role: PARSER_ROLE } })
    // A worker that is only waiting for work must not keep the process alive.
    worker.unref()
    all.add(worker)
    return worker
  }

  const runOn = (worker: Worker, job: Job) => {
    let settled = false
    let startedAt: number | null = null
    const finish = (outcome: ScriptOutcome, healthy: boolean, costMs?: number) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (startedAt !== null) charge(costMs ?? performance.now() - startedAt)
      worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit')
      job.resolve(outcome)
      if (healthy) next(worker)
      else {
        all.delete(worker)
        void worker.terminate()
        next(null)
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    const stop = () =>
      finish(
        refused(
          job.file,
          `reading this script took longer than ${seconds(limitMs)} s, and was stopped: simplify its markup (long runs of *, _, [ or \` cost the Markdown parser the most)`
        ),
        false,
        limitMs
      )
    // The clock starts when the worker takes the script, not while a new worker loads.
    worker.on('message', (answer: Answer) => {
      if ('started' in answer) {
        startedAt = performance.now()
        timer = setTimeout(stop, limitMs)
      } else finish(answer, true)
    })
    worker.once('error', error =>
      finish(refused(job.file, `the script could not be read: ${error.message}`), false)
    )
    worker.once('exit', () => finish(refused(job.file, 'the script could not be read'), false))
    worker.ref()
    worker.postMessage({ file: job.file, text: job.text, defaults: job.defaults })
  }

  /** Gives `worker` (or a new one, when null) the next job, or lets it idle. */
  const next = (worker: Worker | null) => {
    // Once the budget is spent, no script waiting is started: each is skipped instead.
    if (spentMs >= budgetMs) for (const job of queue.splice(0)) job.resolve(skip(job.file))
    const job = queue.shift()
    if (!job) {
      if (worker) {
        worker.unref()
        idle.push(worker)
      }
      return
    }
    runOn(worker ?? start(), job)
  }

  return {
    parse(file, text, defaults) {
      if (spentMs >= budgetMs) return Promise.resolve(skip(file))
      if (inlineMs < INLINE_BUDGET_MS && Buffer.byteLength(text) <= INLINE_BYTES) {
        const before = spentMs
        const outcome = parseHere(file, text, defaults)
        inlineMs += spentMs - before
        return Promise.resolve(outcome)
      }
      return new Promise(resolve => {
        queue.push({ file, text, defaults, resolve })
        const worker = idle.pop()
        if (worker) next(worker)
        else if (all.size < WORKERS) next(null)
      })
    },
    async close() {
      await Promise.all([...all].map(worker => worker.terminate()))
      all.clear()
      idle.length = 0
    }
  }
}

/** The worker's side: parses each request it is sent and answers with the outcome. */
export function serveParsing(port: {
  on(event: 'message', listener: (request: ParseRequest) => void): void
  postMessage(answer: Answer): void
}): void {
  port.on('message', ({ file, text, defaults }) => {
    port.postMessage({ started: true })
    port.postMessage(parseNow(file, text, defaults))
  })
}

function parseNow(file: string, text: string, defaults: ScriptDefaults): ScriptOutcome {
  try {
    return parseScript(file, text, defaults)
  } catch (error) {
    return refused(file, `the script could not be read: ${(error as Error).message}`)
  }
}

/** What a skipped script's note says to do: the run did not look at it, so nothing is wrong yet. */
const SKIPPED_HOW =
  'fix or remove the scripts stopped for taking too long (marked invalid), and the next run reads the others'

function skipped(file: string, budgetMs: number): ScriptOutcome {
  const why = `not read: this run's ${seconds(budgetMs)} s for reading scripts ran out before this one; ${SKIPPED_HOW}`
  return { ok: false, file, problems: [], warnings: [], skipped: why }
}

/** PARSE_BUDGET_VARIABLE's milliseconds when it is set to a whole number, else PARSE_BUDGET_MS. */
function budgetFromEnvironment(): number {
  const value = process.env[PARSE_BUDGET_VARIABLE]?.trim()
  return value && /^\d{1,9}$/.test(value) ? Number(value) : PARSE_BUDGET_MS
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10)
}

function refused(file: string, message: string): ScriptOutcome {
  return { ok: false, file, problems: [{ file, line: 1, column: 1, message }], warnings: [] }
}
