// Jest runs inside the project's own CI job, whose runner obeys every line of a step's output
// that is a workflow command: `::add-mask::`, `::error::`, `::stop-commands::`… The action writes
// them through @actions/core. This setup keeps them off the real output, and fails the test that
// wrote one, unless the test asked for them with captureWorkflowCommands().
import { afterAll, afterEach } from '@jest/globals'
import { format } from 'node:util'
import { COMMAND } from './commands.js'

/** The workflow commands of one test: kept out of the output, and judged when the test ends. */
export class CommandGuard {
  private commands: string[] = []
  private expected = false

  /** Returns `text` without its command lines, which are kept. */
  filter(text: string): string {
    if (!text.includes('::')) return text
    return text
      .split(/(?<=\n)/)
      .filter(line => !(COMMAND.test(line) && this.commands.push(line.trimEnd())))
      .join('')
  }

  /** The current test expects commands: they are collected in the returned list. */
  capture(): string[] {
    this.expected = true
    return this.commands
  }

  /** Throws when the test wrote commands it did not ask for; starts afresh for the next test. */
  settle(): void {
    const unexpected = this.expected ? [] : this.commands
    this.commands = []
    this.expected = false
    if (unexpected.length) {
      throw new Error(
        `The test wrote ${unexpected.length} workflow command(s), which a runner would obey:\n` +
          // Quoted: Jest's parent process prints this message, and a runner would obey a bare line.
          unexpected.map(c => `  ${JSON.stringify(c)}`).join('\n') +
          '\nPass the code under test its own writer (as readSettings takes `mask`), or call ' +
          'captureWorkflowCommands() in the test and assert on what it returns.'
      )
    }
  }
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean

/** Routes everything tests write to `streams` and the console through `guard`. */
export function install(guard: CommandGuard, streams: NodeJS.WriteStream[], out: Console) {
  const restore: Array<() => void> = []
  for (const stream of streams) {
    const write = stream.write as Write
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        return write.call(stream, chunk, ...rest)
      }
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      const kept = guard.filter(text)
      if (kept === text) return write.call(stream, chunk, ...rest)
      if (kept) return write.call(stream, kept, ...rest.filter(r => typeof r === 'function'))
      const done = rest.find(r => typeof r === 'function') as (() => void) | undefined
      if (done) process.nextTick(done)
      return true
    }) as typeof stream.write
    restore.push(() => (stream.write = write as typeof stream.write))
  }
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const print = out[level]
    out[level] = (...args: unknown[]) => {
      const text = format(...args)
      const kept = guard.filter(text)
      if (kept === text) print.apply(out, args)
      else if (kept) print.call(out, kept)
    }
    restore.push(() => (out[level] = print))
  }
  return () => restore.forEach(undo => undo())
}

const guard = new CommandGuard()

/**
 * For a test that checks what the action tells the runner: the workflow commands it writes from
 * now until it ends, kept off the real output.
 */
export function captureWorkflowCommands(): string[] {
  return guard.capture()
}

// A test run inside GitHub Actions would otherwise write the job's real outputs and summary.
for (const name of [
  'GITHUB_OUTPUT',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_STATE',
  'GITHUB_ENV',
  'GITHUB_PATH'
]) {
  delete process.env[name]
}

const uninstall = install(guard, [process.stdout, process.stderr], console)
afterEach(() => guard.settle())
// Commands written by a file's beforeAll or afterAll hooks fail the file.
afterAll(() => {
  try {
    guard.settle()
  } finally {
    uninstall()
  }
})
