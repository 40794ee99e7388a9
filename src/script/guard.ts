// Parses scripts under a time limit. micromark, the Markdown parser, resolves runs of emphasis in
// time that grows faster than their length: a hostile 1 MiB `*a*a*a…` kept it busy for minutes.
// So each script larger than INLINE_BYTES is parsed in a worker thread (the action's own bundle,
// started again), and one that takes longer than PARSE_LIMIT_MS is stopped and reported invalid,
// naming the file, while the others go on. Plain data crosses the thread boundary: text in, the
// outcome out.
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

export interface ParseRequest {
  file: string
  text: string
  defaults: ScriptDefaults
}

export type Parse = (file: string, text: string, defaults: ScriptDefaults) => Promise<ScriptOutcome>

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
  limitMs = PARSE_LIMIT_MS
): ScriptParser {
  if (!entry) {
    return {
      parse: async (file, text, defaults) => parseScript(file, text, defaults),
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
    const finish = (outcome: ScriptOutcome, healthy: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
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
          `reading this script took longer than ${limitMs / 1000} s, and was stopped: simplify its markup (long runs of *, _, [ or \` cost the Markdown parser the most)`
        ),
        false
      )
    // The clock starts when the worker takes the script, not while a new worker loads.
    worker.on('message', (answer: Answer) => {
      if ('started' in answer) timer = setTimeout(stop, limitMs)
      else finish(answer, true)
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
      if (inlineMs < INLINE_BUDGET_MS && Buffer.byteLength(text) <= INLINE_BYTES) {
        const started = process.cpuUsage()
        const outcome = parseNow(file, text, defaults)
        const spent = process.cpuUsage(started)
        inlineMs += (spent.user + spent.system) / 1000
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

function refused(file: string, message: string): ScriptOutcome {
  return { ok: false, file, problems: [{ file, line: 1, column: 1, message }], warnings: [] }
}
