// Markdown and text scripts: the front matter, the scenes (split on lines holding only `---`),
// and the words of each scene once Markdown markup is stripped. Hand-written, as no Markdown
// lexer is a dependency: it covers the markup scripts use, not every corner of CommonMark.
import type { Finding } from './findings.js'

export interface MarkdownScene {
  /** What is left to speak: markup stripped, whitespace collapsed. */
  text: string
  /** 1-based line of the scene's first words, or of the `---` that opened an empty scene. */
  line: number
}

export interface MarkdownScript {
  /** The YAML between the `---` lines at the top, which starts on line 2. */
  frontMatter: string | null
  scenes: MarkdownScene[]
}

const FRONT_MATTER_OPEN = /^---[ \t]*$/
const FRONT_MATTER_CLOSE = /^(---|\.\.\.)[ \t]*$/
const SCENE_BREAK = /^[ \t]*---[ \t]*$/
const FENCE = /^ {0,3}(`{3,}|~{3,})/

/** Splits a Markdown or text script into front matter and scenes. */
export function readMarkdown(source: string): MarkdownScript | Finding {
  const lines = source.split('\n')
  let frontMatter: string | null = null
  let bodyStart = 0
  if (FRONT_MATTER_OPEN.test(lines[0] ?? '')) {
    const end = lines.findIndex((line, i) => i > 0 && FRONT_MATTER_CLOSE.test(line))
    if (end < 0) {
      return { line: 1, column: 1, message: 'the front matter is never closed by a --- line' }
    }
    frontMatter = lines.slice(1, end).join('\n')
    bodyStart = end + 1
  }
  const body = withoutCodeAndComments(lines.slice(bodyStart))
  const references = referenceLabels(body)
  const lastLine = lines.length
  const scenes = splitScenes(body, bodyStart + 1).map(scene => ({
    text: speakable(scene.lines, references),
    line: Math.min(scene.line, lastLine)
  }))
  return { frontMatter, scenes }
}

/**
 * Blanks fenced code blocks (a block of their own, so they still end a paragraph) and drops
 * lines that only held an HTML comment, keeping one entry per line so line numbers hold: neither
 * is spoken, and a `---` inside them does not start a scene.
 */
function withoutCodeAndComments(lines: string[]): (string | null)[] {
  let fence: string | null = null
  let inComment = false
  return lines.map(line => {
    if (fence !== null) {
      const close = FENCE.exec(line)?.[1] ?? ''
      if (close[0] === fence[0] && close.length >= fence.length && line.trim() === close) {
        fence = null
      }
      return ''
    }
    const open = inComment ? null : FENCE.exec(line)?.[1]
    if (open) {
      fence = open
      return ''
    }
    let kept = ''
    let commented = inComment
    for (let rest = line; rest !== '';) {
      const marker = rest.indexOf(inComment ? '-->' : '<!--')
      if (marker < 0) {
        if (!inComment) kept += rest
        break
      }
      if (!inComment) kept += rest.slice(0, marker)
      rest = rest.slice(marker + (inComment ? 3 : 4))
      inComment = !inComment
      commented = true
    }
    return commented && kept.trim() === '' ? null : kept
  })
}

interface SceneLines {
  /** The scene's lines; null where a line held only a comment. */
  lines: (string | null)[]
  line: number
}

function splitScenes(body: (string | null)[], firstLine: number): SceneLines[] {
  const scenes: SceneLines[] = []
  let current: SceneLines = { lines: [], line: firstLine }
  let hasWords = false
  body.forEach((text, i) => {
    if (text !== null && SCENE_BREAK.test(text)) {
      scenes.push(current)
      current = { lines: [], line: firstLine + i }
      hasWords = false
      return
    }
    if (!hasWords && text !== null && text.trim() !== '') {
      current.line = firstLine + i
      hasWords = true
    }
    current.lines.push(text)
  })
  scenes.push(current)
  return scenes
}

const REFERENCE_DEFINITION =
  /^ {0,3}\[([^\]]+)\]:[ \t]*\S+(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$/
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+|$)/
const SETEXT_UNDERLINE = /^ {0,3}=+[ \t]*$/
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/
const BLOCKQUOTE = /^ {0,3}(?:>[ \t]?)+/
const LIST_ITEM = /^[ \t]*(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]+(?:\[[ xX]\][ \t]+)?|$)/

const label = (text: string): string => text.trim().replace(/\s+/g, ' ').toLowerCase()

function referenceLabels(lines: (string | null)[]): Set<string> {
  return new Set(lines.flatMap(line => REFERENCE_DEFINITION.exec(line ?? '')?.[1] ?? []).map(label))
}

/**
 * The words of one scene: each heading, list item and paragraph is a block, stripped of markup;
 * a block that does not end a sentence gets a full stop before the next, so that the voice
 * pauses after a heading instead of running it into the first sentence.
 */
function speakable(lines: (string | null)[], references: Set<string>): string {
  const blocks: string[][] = []
  let block: string[] = []
  const endBlock = (): void => {
    if (block.length > 0) blocks.push(block)
    block = []
  }
  for (const raw of lines) {
    if (raw === null) continue
    const line = raw.replace(BLOCKQUOTE, '')
    if (line.trim() === '' || SETEXT_UNDERLINE.test(line) || THEMATIC_BREAK.test(line)) {
      endBlock()
    } else if (REFERENCE_DEFINITION.test(line)) {
      continue
    } else if (HEADING.test(line)) {
      endBlock()
      blocks.push([line.replace(HEADING, '').replace(/(?:^|[ \t]+)#+[ \t]*$/, '')])
    } else if (LIST_ITEM.test(line)) {
      endBlock()
      block.push(line.replace(LIST_ITEM, ''))
    } else {
      block.push(line)
    }
  }
  endBlock()
  return blocks
    .map(lines =>
      collapse(inline(lines.map(line => line.replace(/\\$/, '')).join(' '), references))
    )
    .filter(text => text !== '')
    .reduce(
      (spoken, text) =>
        spoken === '' ? text : `${spoken}${SENTENCE_END.test(spoken) ? ' ' : '. '}${text}`,
      ''
    )
}

const SENTENCE_END = /[.!?…:;,]["'”’)\]]*$/u

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim()

// Code spans, escaped characters and autolinks are set aside behind private-use placeholders
// while the rest of the markup is stripped, then put back as plain text.
const PLACEHOLDER = '\uE000'
const PLACEHOLDER_DIGIT = 0xe001
const PLACEHOLDER_BASE = 0xf8ff - PLACEHOLDER_DIGIT
const PLACEHOLDERS = /\uE000([\uE001-\uF8FF])([\uE001-\uF8FF])/g

const LINK_TARGET = String.raw`\(\s*(?:<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)`
const IMAGE = new RegExp(String.raw`!\[[^\]]*\](?:${LINK_TARGET}|\[[^\]]*\])`, 'g')
const LINK = new RegExp(String.raw`\[([^\]]*)\](?:${LINK_TARGET}|\[[^\]]*\])`, 'g')
const SHORTCUT_REFERENCE = /(!?)\[([^\]]+)\]/g
const AUTOLINK = /<((?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)|(?:[^\s<>@]+@[^\s<>@]+))>/g
const HTML_TAG = /<\/?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?\/?>/g
const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/g
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' '
}

/** One block's text without inline markup. */
function inline(text: string, references: Set<string>): string {
  const kept: string[] = []
  const keep = (literal: string): string => {
    const i = kept.push(literal) - 1
    return (
      PLACEHOLDER +
      String.fromCharCode(PLACEHOLDER_DIGIT + Math.floor(i / PLACEHOLDER_BASE)) +
      String.fromCharCode(PLACEHOLDER_DIGIT + (i % PLACEHOLDER_BASE))
    )
  }
  const rest = setAsideCodeAndEscapes(text.replace(/[\uE000-\uF8FF]/g, ''), keep)
    .replace(AUTOLINK, (_, target: string) => keep(target))
    .replace(IMAGE, '')
    .replace(LINK, '$1')
    .replace(SHORTCUT_REFERENCE, (whole, bang: string, name: string) =>
      references.has(label(name)) ? (bang ? '' : name) : whole
    )
    .replace(HTML_TAG, '')
  return withoutEmphasis(rest)
    .replace(ENTITY, (whole, name: string) => entity(name) ?? whole)
    .replace(PLACEHOLDERS, (_, high: string, low: string) => {
      const i =
        (high.charCodeAt(0) - PLACEHOLDER_DIGIT) * PLACEHOLDER_BASE +
        low.charCodeAt(0) -
        PLACEHOLDER_DIGIT
      return kept[i] ?? ''
    })
}

const DELIMITER_RUN = /\*+|_+|~+/g
const WORD_CHARACTER = /[\p{L}\p{N}]/u

/**
 * Drops the delimiters of emphasis and strikethrough (`*`, `_`, `~~`) that open and close a span,
 * keeping the words: a run opens before a non-space and closes after one, and an underscore inside
 * a word (snake_case) does neither. Paired with a stack per character, in one pass, so that text
 * full of lone asterisks costs no more than any other.
 */
function withoutEmphasis(text: string): string {
  const openers: Record<string, number[]> = { '*': [], _: [], '~': [] }
  const dropped = new Set<number>()
  for (const run of text.matchAll(DELIMITER_RUN)) {
    const char = run[0][0]!
    if (char === '~' && run[0].length !== 2) continue
    const before = text[run.index - 1] ?? ' '
    const after = text[run.index + run[0].length] ?? ' '
    const inWord = (neighbour: string) => char === '_' && WORD_CHARACTER.test(neighbour)
    const stack = openers[char]!
    if (/\S/.test(before) && !inWord(after) && stack.length > 0) {
      dropped.add(stack.pop()!).add(run.index)
    } else if (/\S/.test(after) && !inWord(before)) {
      stack.push(run.index)
    }
  }
  return text.replace(DELIMITER_RUN, (run, offset: number) => (dropped.has(offset) ? '' : run))
}

function entity(name: string): string | undefined {
  if (!name.startsWith('#')) return NAMED_ENTITIES[name]
  const code = /^#[xX]/.test(name) ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined
}

const BACKTICKS = /`+/y

/** Code spans become their plain text and `\*` a literal `*`, both safe from further stripping. */
function setAsideCodeAndEscapes(text: string, keep: (literal: string) => string): string {
  let out = ''
  let i = 0
  // A run length found without a closer has none further on either: never search for it again.
  const unclosed = new Set<number>()
  while (i < text.length) {
    const char = text[i]!
    if (char === '\\' && /[!-/:-@[-`{-~]/.test(text[i + 1] ?? '')) {
      out += keep(text[i + 1]!)
      i += 2
    } else if (char === '`') {
      BACKTICKS.lastIndex = i
      const run = BACKTICKS.exec(text)![0]
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g')
      close.lastIndex = i + run.length
      const end = unclosed.has(run.length) ? null : close.exec(text)
      if (!end) unclosed.add(run.length)
      if (end) {
        out += keep(text.slice(i + run.length, end.index).trim())
        i = end.index + run.length
      } else {
        out += keep(run)
        i += run.length
      }
    } else {
      out += char
      i++
    }
  }
  return out
}
