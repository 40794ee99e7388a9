// Markdown and text scripts: the front matter, the scenes (split on lines holding only `---`),
// and the words each scene speaks, read from the file's CommonMark + GFM tree (micromark): what a
// reader sees in the rendered Markdown, and a problem for what cannot be said aloud.
import type { Nodes, PhrasingContent, RootContent } from 'mdast'
import { fromMarkdown } from 'mdast-util-from-markdown'
import { gfmFromMarkdown } from 'mdast-util-gfm'
import { gfm } from 'micromark-extension-gfm'
import type { Finding } from './findings.js'

export interface MarkdownScene {
  /** What the scene speaks: the words of its blocks, whitespace collapsed. */
  text: string
  /** 1-based line of the scene's first block, or of the `---` that opened an empty scene. */
  line: number
  /** Blocks that cannot be spoken (a table, a code block, HTML), each at its place. */
  unspeakable: Finding[]
}

export interface MarkdownScript {
  /** The YAML between the `---` lines at the top, which starts on line 2. */
  frontMatter: string | null
  scenes: MarkdownScene[]
}

const FRONT_MATTER_OPEN = /^---[ \t]*$/
const FRONT_MATTER_CLOSE = /^(---|\.\.\.)[ \t]*$/
const SCENE_BREAK = /^[ \t]*---[ \t]*$/
const FENCE = /^ {0,3}(?:`{3}|~{3})/

/**
 * The most Markdown one scene may hold, five times what it may speak. Far more than any scene
 * needs, and a bound on micromark's work: some runs of unclosed markup cost it time that grows
 * faster than their length, and a scene break ends every one of them.
 */
const MAX_SCENE_MARKDOWN = 25_000

/** Quotes and lists nested deeper than this on one line are refused before parsing. */
const MAX_NESTING = 32
/**
 * Nor are brackets nested deeper than this within a paragraph: micromark's time grows with the
 * cube of the nesting of links and images. A linked image is two.
 */
const MAX_BRACKETS = 8
const DEEP_NESTING = new RegExp(
  String.raw`^(?:[ \t]*(?:>|(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]))){${MAX_NESTING + 1}}`
)

/** Splits a Markdown or text script into front matter and the words of each scene. */
export function readMarkdown(source: string): MarkdownScript | Finding {
  // micromark also ends a line at a lone CR: so must the line numbers, to point at its nodes.
  const lines = source.split(/\r?\n|\r/)
  let bodyStart = 0
  let frontMatter: string | null = null
  if (FRONT_MATTER_OPEN.test(lines[0] ?? '')) {
    const end = lines.findIndex((line, i) => i > 0 && FRONT_MATTER_CLOSE.test(line))
    if (end < 0) {
      return { line: 1, column: 1, message: 'the front matter is never closed by a --- line' }
    }
    frontMatter = lines.slice(1, end).join('\n')
    bodyStart = end + 1
  }
  const breaks = new Set<number>()
  for (let i = bodyStart; i < lines.length; i++) if (SCENE_BREAK.test(lines[i]!)) breaks.add(i + 1)
  const refused = tooLong(lines, bodyStart, breaks) ?? tooDeep(lines, bodyStart)
  if (refused) return refused
  // The front matter's lines are left blank and each `---` line becomes `***`, a thematic break
  // at the margin: it closes any list, quote or paragraph open above it (where `---` could be a
  // heading's underline, or the lazy continuation of a paragraph), so that every scene break is
  // a thematic break at the top of the tree, at its own line. Inside a code block or an HTML
  // comment it stays text, and splits nothing.
  const body = lines
    .map((line, i) => (i < bodyStart ? '' : breaks.has(i + 1) ? '***' : line))
    .join('\n')
  try {
    const tree = fromMarkdown(body, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] })
    const lastLine = lines.length
    const scenes = splitScenes(tree.children, breaks, bodyStart + 1).map(scene => ({
      ...speak(scene.nodes, lines),
      line: Math.min(scene.line, lastLine)
    }))
    return { frontMatter, scenes }
  } catch (error) {
    // Nesting the check above does not see (across lines, or of emphasis) can still exhaust the
    // stack of the parser or of the walk over its tree.
    if (!(error instanceof RangeError)) throw error
    return { line: bodyStart + 1, column: 1, message: TOO_DEEP }
  }
}

const TOO_DEEP = `the Markdown is nested too deeply to be read: keep quotes and lists within ${MAX_NESTING} levels`
const TOO_DEEP_BRACKETS = `the Markdown is nested too deeply to be read: keep brackets, links and images within ${MAX_BRACKETS} levels in a paragraph`

/** A stretch of lines between `---` lines that holds more Markdown than a scene may. */
function tooLong(lines: string[], bodyStart: number, breaks: Set<number>): Finding | null {
  let start = bodyStart
  let size = 0
  for (let i = bodyStart; i <= lines.length; i++) {
    if (i === lines.length || breaks.has(i + 1)) {
      if (size > MAX_SCENE_MARKDOWN) {
        return {
          line: start + 1,
          column: 1,
          message: `lines ${start + 1}–${i} hold ${size} characters of Markdown with no --- line between them; a scene speaks at most 5000 characters and holds at most ${MAX_SCENE_MARKDOWN}: start new scenes with --- lines`
        }
      }
      start = i + 1
      size = 0
    } else {
      size += lines[i]!.length + 1
    }
  }
  return null
}

function tooDeep(lines: string[], bodyStart: number): Finding | null {
  let brackets = 0
  for (let i = bodyStart; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') brackets = 0 // a blank line ends every paragraph
    if (DEEP_NESTING.test(line)) return { line: i + 1, column: 1, message: TOO_DEEP }
    for (const [mark] of line.matchAll(BRACKETS)) {
      if (mark === '[') brackets++
      else if (mark === ']') brackets = Math.max(0, brackets - 1)
      if (brackets > MAX_BRACKETS) return { line: i + 1, column: 1, message: TOO_DEEP_BRACKETS }
    }
  }
  return null
}

/** Brackets, and escaped characters to step over. */
const BRACKETS = /\\.|[[\]]/g

interface SceneNodes {
  nodes: RootContent[]
  line: number
}

/** The top-level blocks between the scene breaks. */
function splitScenes(nodes: RootContent[], breaks: Set<number>, firstLine: number): SceneNodes[] {
  const scenes: SceneNodes[] = []
  let current: SceneNodes = { nodes: [], line: firstLine }
  for (const node of nodes) {
    const line = lineOf(node)
    if (node.type === 'thematicBreak' && breaks.has(line)) {
      scenes.push(current)
      current = { nodes: [], line }
    } else {
      if (current.nodes.length === 0) current.line = line
      current.nodes.push(node)
    }
  }
  scenes.push(current)
  return scenes
}

const lineOf = (node: Nodes): number => node.position?.start.line ?? 1
const columnOf = (node: Nodes): number => node.position?.start.column ?? 1

/**
 * The words of one scene: each heading, paragraph and list item is a block; a block that does
 * not end a sentence gets a full stop before the next, so that the voice pauses after a heading
 * instead of running it into the first sentence.
 */
function speak(nodes: RootContent[], lines: string[]): Omit<MarkdownScene, 'line'> {
  const blocks: string[] = []
  const unspeakable: Finding[] = []
  const visit = (children: readonly Nodes[]): void => {
    for (const node of children) {
      switch (node.type) {
        case 'paragraph':
        case 'heading':
          blocks.push(collapse(phrase(node.children)))
          break
        case 'blockquote':
        case 'list':
        case 'listItem':
          visit(node.children)
          break
        case 'code':
        case 'table':
          unspeakable.push(refusal(node, unspeakableWhy(node, lines)))
          break
        case 'html':
          if (!isSilentHtml(node.value)) {
            const why = node.value.startsWith('<!--') ? TEXT_AFTER_COMMENT : HTML_BLOCK
            unspeakable.push(refusal(node, why))
          }
          break
        // Thematic breaks, link definitions and footnotes (a note for readers) are not spoken.
        default:
          break
      }
    }
  }
  visit(nodes)
  const text = blocks
    .filter(block => block !== '')
    .reduce(
      (spoken, block) =>
        spoken === '' ? block : `${spoken}${SENTENCE_END.test(spoken) ? ' ' : '. '}${block}`,
      ''
    )
  return { text, unspeakable }
}

const SENTENCE_END = /[.!?…:;,]["'”’)\]]*$/u

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim()

const refusal = (node: Nodes, message: string): Finding => ({
  line: lineOf(node),
  column: columnOf(node),
  message
})

function unspeakableWhy(node: Nodes, lines: string[]): string {
  if (node.type === 'table') {
    return 'a table cannot be spoken: say what it shows in sentences, or as a list'
  }
  const fenced = FENCE.test((lines[lineOf(node) - 1] ?? '').slice(columnOf(node) - 1))
  return fenced
    ? 'a code block cannot be spoken: say in words what the code does (a short `command` in backticks within a sentence is spoken as written)'
    : 'text indented by 4 spaces or more is a code block, which cannot be spoken: remove the indentation'
}

const HTML_BLOCK =
  'an HTML block cannot be spoken: write the words as Markdown text (an HTML comment is fine: it is not spoken)'
const TEXT_AFTER_COMMENT =
  'text after an HTML comment on the same line is read as HTML, and cannot be spoken: put the comment on a line of its own'

/** An HTML comment, closed or running to the end (CommonMark also closes one with `<!-->`). */
const HTML_COMMENT = /<!--(?:-?>|[\s\S]*?-->|[\s\S]*$)/g
/** Tags that start a new line where they stand: a pause, so the words around them stay apart. */
const PAUSE_TAG = /^<\/?(?:br|hr|p|div|li)(?=[\s/>])[^>]*>$/i

/** An HTML block that only holds comments and line breaks says nothing, and may stay. */
function isSilentHtml(html: string): boolean {
  return html
    .replace(HTML_COMMENT, '')
    .split(/(<[^<>]*>)/)
    .every(part => part.trim() === '' || PAUSE_TAG.test(part))
}

/**
 * The words of inline content: text as the parser decoded it (entities and escapes included),
 * code spans as written, the text of links; a line break or a line-breaking tag is a pause.
 * Not spoken: link targets, images (alt text included), footnote references, HTML comments and
 * tags (the text between tags is).
 */
function phrase(nodes: readonly PhrasingContent[]): string {
  return nodes
    .map(node => {
      switch (node.type) {
        case 'text':
        case 'inlineCode':
          return node.value
        case 'emphasis':
        case 'strong':
        case 'delete':
        case 'link':
        case 'linkReference':
          return phrase(node.children)
        case 'break':
          return ' '
        case 'html':
          return PAUSE_TAG.test(node.value) ? ' ' : ''
        default:
          return ''
      }
    })
    .join('')
}
