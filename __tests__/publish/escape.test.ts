// Text from a pull request or a remote, shown in the comment: it cannot open or close an HTML
// comment, so it can never pose as one of the action's hidden markers or its saved state.
import { describe, expect, it } from '@jest/globals'
import { attribute, code, codeBlock, noComment, text } from '../../src/publish/escape.js'

const STATE = '<!-- avatar-video-action-state:v1.AAAA -->'
const MARKER = '<!-- avatar-video-action:docs -->'

describe('every escaper breaks HTML comments', () => {
  it.each([
    ['code', (v: string) => code(v)],
    ['codeBlock', (v: string) => codeBlock(v)],
    ['text', (v: string) => text(v)],
    ['attribute', (v: string) => attribute(v)]
  ])('%s', (_, escape) => {
    for (const hostile of [STATE, MARKER, `a --> b`, `a --!> b`, `<!DOCTYPE x>`]) {
      const shown = escape(hostile)
      expect(shown).not.toMatch(/<!|--!?>/)
      expect(shown).not.toContain('avatar-video-action:docs -->')
    }
  })

  it('keeps the text readable: only zero-width spaces are added', () => {
    expect(noComment(STATE).replaceAll('\u200B', '')).toBe(STATE)
    expect(noComment('a --> b').replaceAll('\u200B', '')).toBe('a --> b')
    expect(noComment('plain - text -- here')).toBe('plain - text -- here')
  })

  it('breaks them in every line of a block, however it was wrapped', () => {
    const block = codeBlock(`line one\r\n${STATE}\rlast <!`)
    expect(block).not.toMatch(/<!|--!?>/)
    expect(block.split('\n')).toHaveLength(5)
  })
})
