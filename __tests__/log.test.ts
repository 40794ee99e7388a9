// What a pull request's file names and a remote's answers can do to the job log: nothing.
import { describe, expect, it } from '@jest/globals'
import { logText } from '../src/log.js'

/** Whether the runner would read any line of `log` as a workflow command. */
function commandLines(log: string): string[] {
  return log.split(/\r\n|\r|\n/).filter(line => /^\s*::/.test(line) || line.includes('##['))
}

describe('logText', () => {
  it.each([
    ['LF', 'videos/a\n::error file=x::forged.md'],
    ['CR', 'videos/a\r::set-output name=results::[]'],
    ['CRLF', 'videos/a\r\n::stop-commands::pause'],
    ['a leading command', '::add-mask::nothing'],
    ['an indented command', '   ::warning::hidden'],
    ['an old-style command', 'videos/##[set-output name=x;]y.md'],
    ['a line separator', 'videos/a\u2028::error::x'],
    ['a bidirectional override', 'videos/\u202Egpj.md']
  ])('keeps a name with %s on its line and inert', (_, name) => {
    const line = `${logText(name)}: success`
    expect(line.split(/\r\n|\r|\n/)).toHaveLength(1)
    expect(commandLines(line)).toEqual([])
  })

  it('encodes % first, so every encoded name reads back unambiguously', () => {
    expect(logText('100%0A done\n')).toBe('100%250A done%0A')
    expect(logText('a::b')).toBe('a:%3Ab')
    expect(logText('videos/intro.md')).toBe('videos/intro.md')
  })
})
