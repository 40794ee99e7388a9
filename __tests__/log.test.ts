// What a pull request's file names and a remote's answers can do to the job log: nothing.
import { describe, expect, it } from '@jest/globals'
import { bounded, excerpt, listed, logText, MAX_LOG_MESSAGE } from '../src/log.js'

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

describe('what a remote answer costs the log', () => {
  it('keeps a message up to the bound whole, and past it its beginning and end, counting the rest', () => {
    expect(bounded('short')).toBe('short')
    const long = `Model x: ${'y'.repeat(1_000_000)} the end`
    const said = bounded(long)
    expect(said.length).toBeLessThan(MAX_LOG_MESSAGE + 100)
    expect(said).toMatch(/^Model x: y+ … \(\d+ characters left out\) … y+ the end$/)
    expect(said).toContain(`(${Array.from(long).length - MAX_LOG_MESSAGE} characters left out)`)
    expect(logText(long).length).toBeLessThan(MAX_LOG_MESSAGE + 100)
  })

  it('never splits a character made of two code units', () => {
    const said = bounded('😀'.repeat(10), 4)
    expect(said).toBe('😀😀😀 … (6 characters left out) … 😀')
  })

  it('names ten items of a list and counts the others, each item shortened', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `p${i}`)
    expect(listed(names)).toBe('p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 and 99990 more')
    expect(listed(['a', 'b'], item => `\`${item}\``)).toBe('`a`, `b`')
    expect(listed(['x'.repeat(500)])).toBe(`${'x'.repeat(79)}…`)
  })

  it("quotes a remote's own words on one line, 300 characters at most", () => {
    expect(excerpt('  not\n found  ')).toBe('not found')
    expect(excerpt('e'.repeat(10_000))).toBe(`${'e'.repeat(300)}…`)
  })
})
