// One script file's text to its outcome: read the format, check it against the schema, check
// what it needs from the inputs, build the payload. Every problem of the file is reported at once.
import type { Problem, ScriptDefaults, ScriptOutcome } from '../types.js'
import {
  buildFromPayload,
  buildFromScenes,
  inputProblems,
  type Built,
  type ScriptData,
  type SceneAt,
  type Unchecked
} from './build.js'
import { check, START, type Finding, type Locate } from './findings.js'
import { hashRequest } from './hash.js'
import { readMarkdown } from './markdown.js'
import { frontMatterSchema, scriptFileSchema, spokenTextSchema } from './schema.js'
import { parseJson, parseYaml, type Source } from './yaml-source.js'

/** A script file read but not yet built. */
interface Reading {
  /** The script as written, when it is a mapping: what the input checks look at. */
  unchecked: Unchecked | null
  /** The script once it passed the schema. */
  script: ScriptData | null
  locate: Locate
  sceneAt: SceneAt
  problems: Finding[]
  warnings: Finding[]
}

const nowhere: Locate = () => START

const FORMATS: Record<string, 'markdown' | 'yaml' | 'json'> = {
  md: 'markdown',
  txt: 'markdown',
  yml: 'yaml',
  yaml: 'yaml',
  json: 'json'
}

/** Parses one script; `file` is its workspace-relative path, for messages and the default title. */
export function parseScript(file: string, text: string, defaults: ScriptDefaults): ScriptOutcome {
  const path = file.replaceAll('\\', '/')
  const source = text.replace(/^\uFEFF/, '').replaceAll('\r\n', '\n')
  const format = FORMATS[/\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '']
  const reading =
    format === 'markdown'
      ? readMarkdownScript(source)
      : format
        ? readDataScript(format === 'json' ? parseJson(source) : parseYaml(source))
        : failed(`unsupported script type: use .md, .txt, .yml, .yaml or .json`)
  const built = reading.unchecked ? build(path, reading, reading.unchecked, defaults) : []
  const problems = [...reading.problems, ...(Array.isArray(built) ? built : built.problems)]
  const warnings = [...reading.warnings, ...(Array.isArray(built) ? [] : built.warnings)]
  if (Array.isArray(built) || problems.length > 0) {
    return {
      ok: false,
      file: path,
      problems: inFile(path, problems),
      warnings: inFile(path, warnings)
    }
  }
  return {
    ok: true,
    request: {
      file: path,
      title: built.title,
      model: built.model,
      payload: built.payload,
      hash: hashRequest(built.model, built.payload),
      regenerate: reading.script?.regenerate ?? false,
      estimatedSeconds: built.estimatedSeconds
    },
    warnings: inFile(path, warnings)
  }
}

/**
 * Checks what the script needs from the inputs, or its raw payload, even when the schema found
 * problems (so that all are reported at once); builds the request when nothing is wrong, else
 * returns the problems found.
 */
function build(
  file: string,
  reading: Reading,
  unchecked: Unchecked,
  defaults: ScriptDefaults
): Built | Finding[] {
  const { top, payload } = unchecked
  if (payload !== undefined) {
    if (!isMapping(payload)) return [] // the schema says so
    const model = typeof top.model === 'string' && top.model !== '' ? top.model : defaults.model
    return buildFromPayload(file, model, payload, reading.locate)
  }
  const problems = inputProblems(unchecked, defaults, reading.sceneAt)
  if (!reading.script || problems.length > 0) return problems
  return buildFromScenes(file, reading.script, defaults, reading.locate)
}

/** Findings as problems of `file`, in the order of the file. */
function inFile(file: string, findings: Finding[]): Problem[] {
  return findings
    .map(finding => ({ file, ...finding }))
    .sort((a, b) => a.line - b.line || a.column - b.column)
}

function failed(message: string, at = START): Reading {
  return {
    unchecked: null,
    script: null,
    locate: nowhere,
    sceneAt: () => START,
    problems: [{ ...at, message }],
    warnings: []
  }
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

function readMarkdownScript(source: string): Reading {
  const markdown = readMarkdown(source)
  if (!('scenes' in markdown)) return failed(markdown.message, markdown)
  const front: Source = markdown.frontMatter
    ? parseYaml(markdown.frontMatter, 2)
    : { value: {}, locate: nowhere, problems: [], warnings: [] }
  const problems = [...front.problems]
  const top = front.value ?? {}
  if (front.problems.length === 0 && !isMapping(top)) {
    problems.push({ ...front.locate([]), message: 'the front matter must be a mapping of keys' })
  }
  let settings: ScriptData | null = null
  if (front.problems.length === 0 && isMapping(top)) {
    const checked = check(frontMatterSchema, top, front.locate, { hints: MARKDOWN_HINTS })
    settings = checked.data
    problems.push(...checked.problems)
  }
  const several = markdown.scenes.length > 1
  const sceneAt: SceneAt = index => ({ line: markdown.scenes[index]?.line ?? 1, column: 1 })
  markdown.scenes.forEach((scene, index) => {
    const prefix = several ? ['scenes', index] : []
    const subject = several ? `scene ${index + 1}` : 'the script'
    const key = several ? { key: `scenes.${index + 1}` } : {}
    problems.push(...scene.unspeakable.map(finding => ({ ...finding, ...key })))
    if (scene.text === '') {
      // A scene of only a table or code has already been told what to write instead.
      if (scene.unspeakable.length === 0) {
        problems.push({ ...sceneAt(index), ...key, message: `${subject} has nothing to speak` })
      }
      return
    }
    const at = () => sceneAt(index)
    problems.push(...check(spokenTextSchema, scene.text, at, { prefix, subject }).problems)
  })
  const scenes = markdown.scenes.map(scene => ({ text: scene.text }))
  return {
    unchecked: isMapping(top) ? { top, scenes } : null,
    script: settings && { ...settings, scenes },
    locate: front.locate,
    sceneAt,
    problems,
    warnings: front.warnings
  }
}

const MARKDOWN_HINTS = {
  scenes:
    'in Markdown a line holding only --- starts a new scene; scenes: is for YAML and JSON scripts',
  payload: 'payload: is for YAML and JSON scripts'
}

function readDataScript(source: Source): Reading {
  const { value, locate } = source
  const sceneAt: SceneAt = index => locate(['scenes', index])
  const base = { unchecked: null, script: null, locate, sceneAt, warnings: source.warnings }
  if (source.problems.length > 0) return { ...base, problems: source.problems }
  if (!isMapping(value)) {
    const message =
      value === null || value === undefined
        ? 'the script is empty: it needs scenes or payload'
        : 'the script must be a mapping of keys such as title and scenes'
    return { ...base, problems: [{ ...locate([]), message }] }
  }
  const scenes = Array.isArray(value.scenes) ? value.scenes.filter(isMapping) : []
  // Scene text is spoken, not laid out: line breaks and runs of spaces are one space, as in Markdown.
  for (const scene of scenes) {
    if (typeof scene.text === 'string') scene.text = scene.text.replace(/\s+/g, ' ').trim()
  }
  const checked = check(scriptFileSchema, value, locate)
  return {
    ...base,
    unchecked: { top: value, scenes, payload: value.payload },
    script: checked.data,
    problems: checked.problems
  }
}
