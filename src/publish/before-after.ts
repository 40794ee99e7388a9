// The before/after of a changed script, in the comment and the job summary alike: the earlier
// video's thumbnail beside the new one, and a collapsed word diff of what the script says. Every
// word is escaped as inert text; only the markers around them are the action's own markup.
import type { Row } from '../types.js'
import type { SavedEntry } from './state.js'
import { wordDiff, MAX_DIFF_WORDS, type Piece } from './diff.js'
import { code, text } from './escape.js'
import { spokenText } from './words.js'

/** Unchanged words kept on each side of a change; the rest of an unchanged run is elided. */
const CONTEXT_WORDS = 8

/**
 * The media cell of `row`, made by `mediaCell`: with the earlier video beside the new one, or
 * a note that the script is new or that no earlier video was found. Unchanged for a row with
 * nothing to compare (not a pull request).
 */
export function beforeAfterCell(row: Row, mediaCell: (row: Row) => string): string {
  const media = mediaCell(row)
  const { before } = row
  if (before === undefined) return media
  if (before === null) return withNote(media, '🆕 new')
  if (!before.video) return withNote(media, 'no earlier video')
  const title = `before: ${row.title ?? row.file}`
  const earlier =
    mediaCell({ ...row, ...before.video, title }) ||
    (before.video.request_id ? `request ${code(before.video.request_id, 80)}` : 'earlier video')
  return `${earlier} ➡️ ${media || '⏳'}<br><sub>before ➡️ after</sub>`
}

function withNote(media: string, note: string): string {
  return `${media}${media ? '<br>' : ''}<sub>${note}</sub>`
}

/**
 * What changed in the words since the earlier version, collapsed: removed words struck through,
 * added ones underlined, at most `max` characters of words shown. Null when there is no earlier
 * version to compare with (a new script, a base that could not be read).
 */
export function changesEntry(row: Row, max: number): string | null {
  const earlier = row.before?.payload
  if (!earlier || !row.payload) return null
  const diff = wordDiff(spokenText(earlier), spokenText(row.payload))
  if (!diff.removed && !diff.added) return '🔁 _The words are the same as at the base._'
  const summary = `🔁 Words changed since the base: ${diff.removed} removed, ${diff.added} added`
  const { body, shortened } = renderPieces(diff.pieces, max)
  const notes = [
    diff.cut &&
      `✂️ _Compared on the first ${MAX_DIFF_WORDS} words that differ: the rest is not compared._`,
    shortened && `✂️ _Shortened: at most ${max} characters of words are shown._`
  ]
  return [`<details><summary>${summary}</summary>`, body, ...notes, '</details>']
    .filter(Boolean)
    .join('\n\n')
}

/** The pieces as one paragraph, cut at `max` characters of words. */
function renderPieces(pieces: Piece[], max: number): { body: string; shortened: boolean } {
  let left = max
  const parts: string[] = []
  for (const [i, piece] of pieces.entries()) {
    if (left <= 0) return { body: parts.join(' '), shortened: true }
    const words =
      piece.op === 'same' ? elide(piece.words, i === 0, i === pieces.length - 1) : piece.words
    const chars = Array.from(words.join(' '))
    const cut = chars.length > left ? ' ✂️' : ''
    parts.push(`${mark(piece.op, text(chars.slice(0, left).join(''), Infinity))}${cut}`)
    left -= chars.length
  }
  return { body: parts.join(' '), shortened: left < 0 }
}

/** An unchanged run, reduced to the words next to the changes on either side of it. */
function elide(words: string[], first: boolean, last: boolean): string[] {
  const n = CONTEXT_WORDS
  if (first && last) return words
  if (first) return words.length > n ? ['…', ...words.slice(-n)] : words
  if (last) return words.length > n ? [...words.slice(0, n), '…'] : words
  return words.length > 2 * n + 1 ? [...words.slice(0, n), '…', ...words.slice(-n)] : words
}

function mark(op: Piece['op'], escaped: string): string {
  if (op === 'removed') return `<del>${escaped}</del>`
  if (op === 'added') return `<ins>${escaped}</ins>`
  return escaped
}

/**
 * The earlier videos the rows show, for the comment's state: a later run of the pull request finds
 * them there when the queue no longer lists them, and a script changed back reuses its video.
 * Only a video the queue made (it has a request id), and none already `saved`.
 */
export function earlierEntries(rows: Row[], saved: SavedEntry[]): SavedEntry[] {
  const known = new Set(saved.map(entry => entry.hash))
  return rows.flatMap(row => {
    const { hash, video } = row.before ?? {}
    if (!hash || !video?.request_id || known.has(hash)) return []
    known.add(hash)
    const { request_id, video_url, thumbnail_url } = video
    return [
      {
        file: row.file,
        hash,
        request_id,
        status: 'success',
        video_url,
        thumbnail_url,
        duration: null
      }
    ]
  })
}
