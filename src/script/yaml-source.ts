// YAML and JSON documents parsed with the position of every key and value kept, so that each
// problem points at the line and column the writer must fix. JSON files are held to strict JSON.
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml'
import { START, type Finding, type Locate, type Path, type Position } from './findings.js'

export interface Source {
  /** The document as plain data; meaningful only when `problems` is empty. */
  value: unknown
  locate: Locate
  problems: Finding[]
  warnings: Finding[]
}

function positionIn(text: string, offset: number, firstLine: number): Position {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: firstLine + before.split('\n').length - 1, column: offset - lineStart + 1 }
}

/** Offsets in the parsed text to positions in the file. */
function positions(lines: LineCounter, firstLine: number): (offset: number) => Position {
  return offset => {
    const { line, col } = lines.linePos(offset)
    return { line: line + firstLine - 1, column: col }
  }
}

/** Walks the YAML tree along `path` as far as it goes: a missing key points at its parent. */
function locator(doc: Document, position: (offset: number) => Position): Locate {
  // `speed:` with nothing after it has an empty value: the key is what to point at.
  const start = (node: unknown, fallback: number): number => {
    const range = isNode(node) ? node.range : undefined
    return range && range[1] > range[0] ? range[0] : fallback
  }
  return (path: Path, part = 'value') => {
    let node: unknown = doc.contents
    let offset = start(node, 0)
    for (const [depth, step] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find(
          item => isScalar(item.key) && String(item.key.value) === String(step)
        )
        if (!pair || !isNode(pair.key)) break
        const keyOffset = pair.key.range?.[0] ?? offset
        if (depth === path.length - 1 && part === 'key') return position(keyOffset)
        node = pair.value
        offset = start(node, keyOffset)
      } else if (isSeq(node) && typeof step === 'number' && isNode(node.items[step])) {
        node = node.items[step]
        offset = start(node, offset)
      } else break
    }
    return position(offset)
  }
}

/**
 * How deep a script may nest. A real one needs 4 levels (`scenes`, a scene, `offset`, `x`), a raw
 * payload a few more; the YAML parser recurses once a level, and a document nested 100,000 deep
 * costs it seconds, then overflows its stack.
 */
export const MAX_DEPTH = 64

/** The YAML parser's own defence against alias bombs: aliases expanded per document. */
const MAX_ALIASES = 100

function tooDeep(firstLine: number): Source {
  return {
    value: undefined,
    locate: () => START,
    problems: [
      {
        line: firstLine,
        column: 1,
        message: `the document nests more than ${MAX_DEPTH} levels deep: a script needs far fewer`
      }
    ],
    warnings: []
  }
}

/**
 * Whether `text` may nest deeper than MAX_DEPTH, judged before parsing and never too low: brackets
 * are counted even inside quotes, and a line indented (or led by `- `, `? ` markers) more than two
 * columns a level counts too.
 */
export function nestsTooDeep(text: string): boolean {
  let open = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 0x5b || ch === 0x7b) {
      if (++open > MAX_DEPTH) return true
    } else if ((ch === 0x5d || ch === 0x7d) && open > 0) open--
  }
  const indent = new RegExp(`^[ \\t?-]{${2 * MAX_DEPTH},}[^ \\t?\\n-]`, 'm')
  return indent.test(text)
}

/** A YAML document; `firstLine` is its line in the file (front matter starts on line 2). */
export function parseYaml(text: string, firstLine = 1): Source {
  if (nestsTooDeep(text)) return tooDeep(firstLine)
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  const at = positions(lines, firstLine)
  const findings = (errors: typeof doc.errors, what: string): Finding[] => {
    // One per line: a syntax error tends to drag a cascade of follow-ups along with it.
    const byLine = new Map<number, Finding>()
    for (const error of errors) {
      const place = at(error.pos[0])
      if (!byLine.has(place.line))
        byLine.set(place.line, { ...place, message: `${what}: ${error.message}` })
    }
    return [...byLine.values()]
  }
  const problems = findings(doc.errors, 'invalid YAML')
  let value: unknown
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES })
    } catch (error) {
      // An alias bomb ("Excessive alias count…"): its own problem, not the end of the run.
      const message = `invalid YAML: ${(error as Error).message} (at most ${MAX_ALIASES} aliases)`
      problems.push({ line: firstLine, column: 1, message })
    }
  }
  return {
    value,
    locate: locator(doc, at),
    problems,
    warnings: findings(doc.warnings, 'YAML')
  }
}

/**
 * A JSON document. `JSON.parse` decides what is valid; Node 20's gives no position, so a small
 * scanner finds where it failed; the YAML parser (JSON is YAML) gives the position of each key.
 */
export function parseJson(text: string): Source {
  if (nestsTooDeep(text)) return tooDeep(1)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const failure = jsonSyntaxError(text) ?? { offset: 0, message: (error as Error).message }
    return {
      value: undefined,
      locate: () => START,
      problems: [
        { ...positionIn(text, failure.offset, 1), message: `invalid JSON: ${failure.message}` }
      ],
      warnings: []
    }
  }
  const yaml = parseYaml(text)
  // JSON.parse keeps the last of duplicate keys; YAML refuses them, and so do we.
  const problems = yaml.problems.map(problem => ({
    ...problem,
    message: problem.message.replace(/^invalid YAML/, 'invalid JSON')
  }))
  return { ...yaml, value: problems.length === 0 ? value : undefined, problems }
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(message)
  }
}

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const JSON_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

/** Where strict JSON first goes wrong in `text`, and how; null when it is valid. */
function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0
  function fail(message: string, at = i): never {
    throw new JsonSyntaxError(message, at)
  }
  function unexpected(expected: string): never {
    if (text[i] === '/') fail('comments are not allowed')
    if (i >= text.length) fail(`unexpected end, expected ${expected}`)
    fail(`expected ${expected}, found ${JSON.stringify(text[i])}`)
  }
  function skipSpace(): void {
    while (' \t\n\r'.includes(text[i] ?? '.')) i++
  }
  function string(): void {
    const start = i++
    for (let char = text[i]; char !== '"'; char = text[i]) {
      if (char === undefined) fail('unterminated string', start)
      if (char < ' ') fail('control character in string')
      if (char !== '\\') i++
      else {
        JSON_ESCAPE.lastIndex = i
        if (!JSON_ESCAPE.test(text)) fail('invalid escape in string')
        i = JSON_ESCAPE.lastIndex
      }
    }
    i++
  }
  function list(close: string, item: () => void, what: string): void {
    i++
    skipSpace()
    if (text[i] === close) return void i++
    for (;;) {
      item()
      skipSpace()
      if (text[i] === close) return void i++
      if (text[i] !== ',') unexpected(`',' or '${close}'`)
      const comma = i++
      skipSpace()
      if (text[i] === close) fail(`trailing comma after the last ${what}`, comma)
    }
  }
  function property(): void {
    skipSpace()
    if (text[i] !== '"') unexpected('a double-quoted property name')
    string()
    skipSpace()
    if (text[i] !== ':') unexpected("':'")
    i++
    value()
  }
  function value(): void {
    skipSpace()
    const literal = ['true', 'false', 'null'].find(word => text.startsWith(word, i))
    JSON_NUMBER.lastIndex = i
    if (text[i] === '{') list('}', property, 'property')
    else if (text[i] === '[') list(']', value, 'item')
    else if (text[i] === '"') string()
    else if (literal) i += literal.length
    else if (JSON_NUMBER.test(text)) i = JSON_NUMBER.lastIndex
    else unexpected('a value')
  }
  try {
    value()
    skipSpace()
    if (i < text.length) unexpected('the end of the document')
    return null
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, message: error.message }
    return null // nested too deep for the scanner: the caller falls back to JSON.parse's message
  }
}
