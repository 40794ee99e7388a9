// Makes text from the pull request or the remote inert in GitHub markdown: no markup, links,
// images, HTML, table cells or mentions can be injected, and only safe URLs become links. Every
// function here also keeps such text from forming an HTML comment, and so any of the action's
// hidden markers: only the action writes those, and only where it reads them back.
import { trustedUrl } from '../url.js'

/** Joins letters visually but breaks GitHub's mention, issue-reference and autolink patterns. */
const ZERO_WIDTH_JOINER = '\u200D'

/** Control characters and bidirectional overrides (which can make text read other than it is). */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g

/** Invisible in the rendered text, but no HTML comment opens or closes across it. */
const ZERO_WIDTH_SPACE = '\u200B'

/**
 * Characters after which GitHub looks for something to link: `@user`, `#123`, `https://…`,
 * `www.…`, `:emoji:`. Entities alone do not help, because mentions and autolinks are found in
 * the text after entities are decoded.
 */
const LINK_TRIGGERS = new Set(['@', '#', ':', '.'])

/** One line of plain text: every run of whitespace, line breaks included, becomes one space. */
export function oneLine(value: string): string {
  return noComment(value.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim())
}

/**
 * Breaks every `<!` (which opens an HTML comment, and with it every marker of this action) and
 * every `-->` or `--!>` (which closes one), so untrusted text shown literally, in a code span or
 * block, still reads the same but can neither hide what follows nor pose as the action's state.
 */
export function noComment(value: string): string {
  return value
    .replace(/<!/g, `<${ZERO_WIDTH_SPACE}!`)
    .replace(/--(!?>)/g, `-${ZERO_WIDTH_SPACE}-$1`)
}

/** Cuts at `max` characters (code points, so no emoji is split), marking the cut with `…`. */
export function truncate(value: string, max: number): string {
  const chars = Array.from(value)
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`
}

/**
 * Inline prose (a title, a reason, a notice) for a paragraph or a table cell: one line, every
 * ASCII punctuation mark as a numeric entity (so none of it is markdown or HTML syntax), and a
 * zero-width joiner after the marks that start mentions, references and autolinks.
 */
export function text(value: string, max = 300): string {
  return truncate(oneLine(value), max).replace(ASCII_PUNCTUATION, mark => {
    const entity = `&#${mark.charCodeAt(0)};`
    return LINK_TRIGGERS.has(mark) ? entity + ZERO_WIDTH_JOINER : entity
  })
}

/**
 * An inline code span (paths, request ids): its content is literal on GitHub, mentions and
 * autolinks included. The fence is longer than any run of backticks inside. In a table cell
 * its `|` must still be escaped: see `tableRow`.
 */
export function code(value: string, max = 300): string {
  const flat = truncate(oneLine(value), max)
  if (!flat) return ''
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longestRun + 1)
  // One space each side is stripped by the renderer, and lets content start or end with a backtick.
  return `${fence} ${flat} ${fence}`
}

/**
 * A fenced code block of several lines (a remote's error, a list of problems, a payload), shown
 * literally; `language` only colours it.
 */
export function codeBlock(value: string, max = 2000, language: 'text' | 'json' = 'text'): string {
  const lines = truncate(value.replace(/\r\n?/g, '\n'), max)
    .split('\n')
    .map(line => noComment(line.replace(/\t/g, '  ').replace(INVISIBLE, '').trimEnd()))
  const longestRun = Math.max(
    0,
    ...lines.flatMap(line => line.match(/`+/g) ?? []).map(r => r.length)
  )
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return [`${fence}${language}`, ...lines, fence].join('\n')
}

/** A cell of a markdown table: a `|` that is left (only code spans have any) must not split it. */
export function tableRow(cells: string[]): string {
  return `| ${cells.map(cell => cell.replace(/\|/g, '\\|')).join(' | ')} |`
}

/** A value for a double-quoted HTML attribute, on one line and without a `|` to split a table. */
export function attribute(value: string, max = 300): string {
  return truncate(oneLine(value), max).replace(/[&<>"'|`]/g, ch => `&#${ch.charCodeAt(0)};`)
}

/**
 * The URL, ready for an `href`/`src` attribute or a markdown link destination, when it is
 * `https:`, or `http:` on a loopback host (a local simulator); otherwise null, and it must not
 * be linked. Characters that could end the attribute, the link or the table cell are encoded.
 */
export function safeUrl(value: string | null | undefined): string | null {
  const url = trustedUrl(value)
  if (!url) return null
  return url.href
    .replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&*+,;=%]/g, percentEncode)
    .replace(/&/g, '&amp;')
}

/** A workspace path as URL path segments: every character but letters, digits and `-._~` encoded. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map(segment => segment.replace(/[^A-Za-z0-9\-._~]/gu, percentEncode))
    .join('/')
}

/** `%XX` for each UTF-8 byte of `ch`. */
export function percentEncode(ch: string): string {
  return Array.from(
    Buffer.from(ch, 'utf8'),
    byte => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  ).join('')
}

/** A markdown link when the URL is safe, else the label alone. The label must already be escaped. */
export function link(label: string, url: string | null | undefined): string {
  const href = safeUrl(url)
  return href ? `[${label}](${href})` : label
}
