import { describe, expect, it } from '@jest/globals'
import { wordDiff } from '../../src/publish/diff.js'

describe('wordDiff', () => {
  it('marks the words removed and added, and keeps the rest', () => {
    const diff = wordDiff(
      'Hello team, this is our new dashboard.',
      'Hello all, this is our dashboard today.'
    )
    expect(diff.pieces).toEqual([
      { op: 'same', words: ['Hello'] },
      { op: 'removed', words: ['team,'] },
      { op: 'added', words: ['all,'] },
      { op: 'same', words: ['this', 'is', 'our'] },
      { op: 'removed', words: ['new', 'dashboard.'] },
      { op: 'added', words: ['dashboard', 'today.'] }
    ])
    expect(diff).toMatchObject({ removed: 3, added: 3, cut: false })
  })

  it('finds the longest common subsequence of words', () => {
    const diff = wordDiff('a b c d e', 'a c d x e')
    expect(diff.pieces).toEqual([
      { op: 'same', words: ['a'] },
      { op: 'removed', words: ['b'] },
      { op: 'same', words: ['c', 'd'] },
      { op: 'added', words: ['x'] },
      { op: 'same', words: ['e'] }
    ])
    expect(diff).toMatchObject({ removed: 1, added: 1, cut: false })
  })

  it('puts a removal before the addition that replaces it', () => {
    expect(wordDiff('one two three', 'one 2 three').pieces).toEqual([
      { op: 'same', words: ['one'] },
      { op: 'removed', words: ['two'] },
      { op: 'added', words: ['2'] },
      { op: 'same', words: ['three'] }
    ])
  })

  it('says nothing changed when only the spacing did', () => {
    const diff = wordDiff('Hello   team,\nwelcome.', ' Hello team, welcome. ')
    expect(diff.pieces).toEqual([{ op: 'same', words: ['Hello', 'team,', 'welcome.'] }])
    expect(diff).toMatchObject({ removed: 0, added: 0, cut: false })
  })

  it('compares with nothing: all added, or all removed', () => {
    expect(wordDiff('', 'new words')).toMatchObject({
      pieces: [{ op: 'added', words: ['new', 'words'] }],
      added: 2,
      removed: 0
    })
    expect(wordDiff('old words', '')).toMatchObject({
      pieces: [{ op: 'removed', words: ['old', 'words'] }],
      added: 0,
      removed: 2
    })
    expect(wordDiff('', '')).toEqual({ pieces: [], removed: 0, added: 0, cut: false })
  })

  it('compares only the first words of very long texts past their shared start, and says so', () => {
    const long = (prefix: string) =>
      Array.from({ length: 5000 }, (_, i) => `${prefix}${i}`).join(' ')
    const diff = wordDiff(
      `same start ${long('a')} same end`,
      `same start ${long('b')} same end`,
      100
    )
    expect(diff.cut).toBe(true)
    expect(diff.pieces[0]).toEqual({ op: 'same', words: ['same', 'start'] })
    expect(diff.removed).toBe(100)
    expect(diff.added).toBe(100)
    // The shared end is past the cut: not shown as if nothing between differed.
    expect(diff.pieces.at(-1)!.op).not.toBe('same')
  })

  it('keeps a long text with a small change within its bound: the shared ends are not compared', () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i}`)
    const changed = [...words]
    changed[10_000] = 'changed'
    const diff = wordDiff(words.join(' '), changed.join(' '))
    expect(diff).toMatchObject({ removed: 1, added: 1, cut: false })
    expect(diff.pieces.map(p => p.op)).toEqual(['same', 'removed', 'added', 'same'])
  })
})
