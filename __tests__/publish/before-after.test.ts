import { describe, expect, it } from '@jest/globals'
import { beforeAfterCell, changesEntry, earlierEntries } from '../../src/publish/before-after.js'
import type { Row } from '../../src/types.js'

const says = (words: string) => ({ video_inputs: [{ voice: { type: 'text', input_text: words } }] })

function row(fields: Partial<Row> = {}): Row {
  return {
    file: 'videos/intro.md',
    status: 'success',
    hash: null,
    request_id: null,
    video_url: 'https://storage.example.com/new.mp4',
    thumbnail_url: 'https://storage.example.com/new.jpg',
    duration: 5,
    error: null,
    media_urls: null,
    video_file: null,
    thumbnail_file: null,
    release_url: null,
    title: 'Intro',
    estimatedSeconds: 5,
    problems: [],
    ...fields
  }
}

const cell = (r: Row) => (r.video_url ? `[${r.title}](${r.video_url})` : '')

describe('the before/after cell', () => {
  it('is the media alone with nothing to compare, and says what is known otherwise', () => {
    expect(beforeAfterCell(row(), cell)).toBe('[Intro](https://storage.example.com/new.mp4)')
    expect(beforeAfterCell(row({ before: null }), cell)).toContain('<sub>🆕 new</sub>')
    expect(
      beforeAfterCell(row({ before: { payload: null, hash: null, video: null } }), cell)
    ).toContain('<sub>no earlier video</sub>')
  })

  it('puts the earlier video left of the new one', () => {
    const video = {
      request_id: 'r1',
      video_url: 'https://storage.example.com/old.mp4',
      thumbnail_url: null
    }
    const shown = beforeAfterCell(row({ before: { payload: null, hash: null, video } }), cell)
    expect(shown).toBe(
      '[before: Intro](https://storage.example.com/old.mp4) ➡️ [Intro](https://storage.example.com/new.mp4)<br><sub>before ➡️ after</sub>'
    )
  })
})

describe('the word diff entry', () => {
  it('is absent without an earlier version, and a line when the words did not change', () => {
    expect(changesEntry(row({ payload: says('a b') }), 100)).toBeNull()
    expect(
      changesEntry(
        row({ payload: says('a b'), before: { payload: says('a  b'), hash: null, video: null } }),
        100
      )
    ).toBe('🔁 _The words are the same as at the base._')
  })

  it('keeps a few unchanged words around each change', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`)
    const changed = words.map(w => (w === 'w20' ? 'new' : w))
    const entry = changesEntry(
      row({
        payload: says(changed.join(' ')),
        before: { payload: says(words.join(' ')), hash: null, video: null }
      }),
      10_000
    )!
    expect(entry).toContain('1 removed, 1 added')
    expect(entry).toContain('… w12 w13 w14 w15 w16 w17 w18 w19 <del>w20</del> <ins>new</ins> w21')
    expect(entry).toContain('w28 …')
    expect(entry).not.toContain('w11')
  })

  it('is shortened to its bound with a visible mark', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `old${i}`).join(' ')
    const after = Array.from({ length: 3000 }, (_, i) => `new${i}`).join(' ')
    const entry = changesEntry(
      row({ payload: says(after), before: { payload: says(before), hash: null, video: null } }),
      500
    )!
    expect(entry).toContain('✂️ _Compared on the first 1000 words that differ')
    expect(entry).toContain('✂️ _Shortened: at most 500 characters of words are shown._')
    expect(entry.length).toBeLessThan(2000)
  })
})

describe('the earlier videos saved in the comment', () => {
  const video = {
    request_id: 'r1',
    video_url: 'https://storage.example.com/old.mp4',
    thumbnail_url: null
  }
  const hash = 'b'.repeat(64)

  it('are the ones the queue made, each once, unless the state has their hash already', () => {
    const rows = [
      row({ before: { payload: null, hash, video } }),
      row({ file: 'videos/copy.md', before: { payload: null, hash, video } }),
      row({
        file: 'videos/released.md',
        before: { payload: null, hash: 'c'.repeat(64), video: { ...video, request_id: null } }
      }),
      row({ file: 'videos/none.md', before: { payload: null, hash: 'd'.repeat(64), video: null } })
    ]

    expect(earlierEntries(rows, [])).toEqual([
      {
        file: 'videos/intro.md',
        hash,
        request_id: 'r1',
        status: 'success',
        video_url: video.video_url,
        thumbnail_url: null,
        duration: null
      }
    ])
    const saved = earlierEntries(rows, [])
    expect(earlierEntries(rows, saved)).toEqual([])
  })
})
