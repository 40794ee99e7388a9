// Turns schema issues into problems a writer can act on: where in the file, which key, what is
// wrong with the value they wrote, and the key or value they probably meant.
import type { core, z, ZodType } from 'zod'
import type { Problem } from '../types.js'
import { CHARACTER_FIELDS, CONTENT_FIELDS, DIMENSION_PRESETS, VOICE_FIELDS } from './schema.js'

/** A problem before it is tied to its file. */
export type Finding = Omit<Problem, 'file'>

/** Keys and list positions from the top of a document, as zod and the YAML tree number them. */
export type Path = readonly (string | number)[]

export interface Position {
  line: number
  column: number
}

/** Where a key, or its value, stands in the file. */
export type Locate = (path: Path, part?: 'key' | 'value') => Position

/** Where a problem of the whole file points: its first line. */
export const START: Position = { line: 1, column: 1 }

/** The dotted key of a path as writers count: `scenes.2.speed` is the second scene's speed. */
export function dottedKey(path: Path): string {
  return path.map(part => (typeof part === 'number' ? String(part + 1) : part)).join('.')
}

/** The path of the key that heads `path`'s message: `offset.x`, not `scenes.2.offset.x`. */
function subject(path: Path): string {
  if (path.length === 0) return 'the script'
  const lastIndex = path.findLastIndex(part => typeof part === 'number')
  const tail = path.slice(lastIndex + 1)
  return tail.length > 0 ? tail.join('.') : dottedKey(path)
}

/** A key the schema requires is absent: zod says its value is of the wrong type or option. */
function isMissing(issue: { code?: string; input?: unknown }): boolean {
  return (
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')
  )
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping'
}

/**
 * The wording of issues whose schema gives no message of its own, as a predicate after the key
 * (`must be a number`); passed to every `safeParse` so that schema-level messages still win.
 */
const issueWording: core.$ZodErrorMap = issue => {
  if (isMissing(issue)) return 'is required'
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}`
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? 'at least' : 'at most'
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum
      const unit = { string: ' characters', array: ' items' }[issue.origin as string] ?? ''
      return `must be ${bound} ${limit}${unit}`
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`
    case 'invalid_format':
      return `must be a valid ${issue.format}`
    default:
      return undefined
  }
}

/** What the writer wrote, shortened, for `(got ...)`. */
function shown(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  }
  if (Array.isArray(value)) return 'a list'
  if (value !== null && typeof value === 'object') return 'a mapping'
  return String(value)
}

function got(issue: core.$ZodIssue): string {
  const input = issue.input
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    if (typeof input === 'string' && input !== '') return ` (got ${input.length} characters)`
    if (Array.isArray(input)) return ` (got ${input.length})`
  }
  if (input === undefined || issue.code === 'unrecognized_keys') return ''
  if (issue.code === 'custom' && typeof input === 'object' && input !== null) return ''
  return ` (got ${shown(input)})`
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate the writer most likely meant: the same ignoring case, or at most two edits away.
 * `aliases` maps other spellings (the payload's field names) to the candidate they stand for.
 */
function didYouMean(
  written: string,
  candidates: readonly string[],
  aliases: Readonly<Record<string, string>> = {}
): string | undefined {
  const spellings = [
    ...candidates.map(candidate => [candidate, candidate] as const),
    ...Object.entries(aliases).filter(([, target]) => candidates.includes(target))
  ]
  let best: { target: string; distance: number } | undefined
  for (const [spelling, target] of spellings) {
    if (target === written) continue
    const distance = editDistance(written.toLowerCase(), spelling.toLowerCase())
    if (distance > 2 || distance >= written.length) continue
    if (!best || distance < best.distance) best = { target, distance }
  }
  return best?.target
}

// A script key and the payload field it becomes are spellings of one another, both ways.
const FIELD_PAIRS = Object.entries({ ...CHARACTER_FIELDS, ...VOICE_FIELDS, ...CONTENT_FIELDS })
const KEY_ALIASES: Record<string, string> = Object.fromEntries([
  ...FIELD_PAIRS.map(([key, field]) => [field, key]),
  ...FIELD_PAIRS.map(([key, field]) => [key, field])
])

interface SchemaDef {
  type: string
  innerType?: core.$ZodType
  element?: core.$ZodType
  shape?: Record<string, core.$ZodType>
}

/** The keys the schema knows in the object at `path`. */
function knownKeys(schema: ZodType, path: Path): string[] {
  let node: core.$ZodType | undefined = schema
  let depth = 0
  while (node) {
    const def = node._zod.def as unknown as SchemaDef
    if (def.type === 'optional') node = def.innerType
    else if (depth === path.length) return Object.keys(def.shape ?? {})
    else {
      const step = path[depth++]
      node = def.type === 'array' ? def.element : def.shape?.[String(step)]
    }
  }
  return []
}

function suggestion(candidate: string | undefined): string {
  return candidate === undefined ? '' : `; did you mean ${candidate}?`
}

function enumSuggestion(issue: core.$ZodIssue, path: Path): string {
  if (typeof issue.input !== 'string') return ''
  if (issue.code === 'invalid_value') {
    return suggestion(didYouMean(issue.input, issue.values.map(String)))
  }
  if (issue.code === 'invalid_format' && path.at(-1) === 'dimension') {
    return suggestion(didYouMean(issue.input, Object.keys(DIMENSION_PRESETS)))
  }
  return ''
}

export interface IssueOptions {
  /** Where the validated value sits in the document, e.g. `['payload']`. */
  prefix?: Path
  /** Unknown keys are warnings (an undocumented payload key) rather than problems. */
  unknownKeys?: (key: string, path: Path) => string
  /** A hint for unknown keys that have a home elsewhere, e.g. `scenes` in front matter. */
  hints?: Readonly<Record<string, string>>
  /** What the messages are about, when not a key (`scene 2` of a Markdown script). */
  subject?: string
}

/**
 * Every issue of a failed `safeParse` as findings; unknown keys one by one at the key itself,
 * everything else at the value. Returns the problems and, with `unknownKeys`, the warnings.
 */
/** Validates `value` against `schema`: its data, or every issue as a finding at its place. */
export function check<T extends ZodType>(
  schema: T,
  value: unknown,
  locate: Locate,
  options: IssueOptions = {}
): { data: z.output<T> | null; problems: Finding[]; warnings: Finding[] } {
  const result = schema.safeParse(value, { error: issueWording, reportInput: true })
  if (result.success) return { data: result.data, problems: [], warnings: [] }
  return { data: null, ...issueFindings(result.error.issues, schema, locate, options) }
}

function issueFindings(
  issues: readonly core.$ZodIssue[],
  schema: ZodType,
  locate: Locate,
  options: IssueOptions = {}
): { problems: Finding[]; warnings: Finding[] } {
  const prefix = options.prefix ?? []
  const problems: Finding[] = []
  const warnings: Finding[] = []
  const seen = new Set<string>()
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as Path)]
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path as Path)
      for (const name of issue.keys) {
        const keyPath = [...path, name]
        const where = { ...locate(keyPath, 'key'), key: dottedKey(keyPath) }
        if (options.unknownKeys) {
          warnings.push({ ...where, message: options.unknownKeys(name, keyPath) })
        } else {
          const hint = options.hints?.[name]
          const message = `unknown key ${name}${hint ? ` (${hint})` : suggestion(didYouMean(name, known, KEY_ALIASES))}`
          problems.push({ ...where, message })
        }
      }
      continue
    }
    // A missing key is reported where its object starts, a key that must not be there (a check
    // of its object) at the key, a wrong value where it stands.
    const missing = isMissing(issue)
    const unwanted = issue.code === 'custom' && typeof issue.input === 'object'
    const message = `${options.subject ?? subject(path)} ${issue.message}${got(issue)}${enumSuggestion(issue, path)}`
    if (seen.has(`${dottedKey(path)} ${message}`)) continue
    seen.add(`${dottedKey(path)} ${message}`)
    const position = missing ? locate(path.slice(0, -1)) : locate(path, unwanted ? 'key' : 'value')
    problems.push({ ...position, ...(path.length > 0 && { key: dottedKey(path) }), message })
  }
  return { problems, warnings }
}
