// `npm test` runs in the project's own CI job: a workflow command a test prints would act there
// (mask text, stop command processing, annotate the job). The guard keeps them off the output.
import { describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import { CommandGuard, captureWorkflowCommands, install } from './setup/workflow-commands.js'
import { neutralize } from './setup/commands.js'

/** A stand-in for process.stdout and the console, recording what reaches the real output. */
function fakeOutput() {
  const printed: string[] = []
  const stream = {
    write: (chunk: string | Uint8Array) => (printed.push(String(chunk)), true)
  } as unknown as NodeJS.WriteStream
  const out = { log: (...args: unknown[]) => printed.push(args.join(' ')) } as unknown as Console
  for (const level of ['info', 'warn', 'error', 'debug'] as const) out[level] = out.log
  return { printed, stream, out }
}

describe('workflow commands written by tests', () => {
  it('never reach the output, whichever way they are written; other lines do', () => {
    const guard = new CommandGuard()
    const { printed, stream, out } = fakeOutput()
    const uninstall = install(guard, [stream], out)
    stream.write('PASS one\n::add-mask::secret\n  ::error file=a.md::bad\nPASS two\n')
    stream.write(Buffer.from('::stop-commands::token\n'))
    out.log('::warning::%s', 'careful')
    out.log('a URL like http://x::y is not a command')
    uninstall()
    stream.write('::debug::after the test file\n')

    expect(printed).toEqual([
      'PASS one\nPASS two\n',
      'a URL like http://x::y is not a command',
      '::debug::after the test file\n'
    ])
    expect(() => guard.settle()).toThrow(
      /wrote 4 workflow command\(s\)[\s\S]*::add-mask::secret[\s\S]*::warning::careful/
    )
  })

  it('fail the test that wrote them, and only that test', () => {
    const guard = new CommandGuard()
    guard.filter('::add-mask::k\n')
    expect(() => guard.settle()).toThrow(/captureWorkflowCommands\(\)/)
    expect(() => guard.settle()).not.toThrow()
  })

  it('are named in the failure without a line of it being a command', () => {
    const guard = new CommandGuard()
    guard.filter('::add-mask::k\n   ##[error]old form\n')
    let message = ''
    try {
      guard.settle()
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('"::add-mask::k"')
    expect(message).toContain('"   ##[error]old form"')
    expect(message.split('\n').filter(line => /^\s*(::|##\[)/.test(line))).toEqual([])
  })

  it("are made plain text in Jest's own report, every line kept", () => {
    const report = [
      'Expected: "ok"',
      'Received:   ::error::boom',
      '  ##[add-mask]s3cr3t',
      'a URL like http://x::y stays'
    ].join('\n')
    const lines = neutralize(report).split('\n')
    expect(lines).toHaveLength(4)
    expect(lines.filter(line => /^\s*(::|##\[)/.test(line))).toEqual([])
    expect(lines[1]).toBe('Received:   ::error::boom')
    expect(neutralize('::error::boom\n')).toBe('(not run) ::error::boom\n')
    expect(lines[2]).toBe('(not run) ##[add-mask]s3cr3t')
    expect(lines[3]).toBe('a URL like http://x::y stays')
  })

  it('are handed to a test that asks for them', () => {
    const commands = captureWorkflowCommands()
    core.setSecret('gmi-KEY')
    core.error('Invalid video script', { file: 'videos/a.md', startLine: 3 })
    expect(commands).toEqual([
      '::add-mask::gmi-KEY',
      '::error file=videos/a.md,line=3::Invalid video script'
    ])
  })
})
