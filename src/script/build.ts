// Turns a validated script into exactly what the request queue receives. Only what the script or
// the inputs set is sent, plus `dimension`, `caption` and `title`, which always are: the payload
// is hashed as sent, so the same script and inputs always give the same payload.
import type { z } from 'zod'
import type { ScriptDefaults } from '../types.js'
import {
  dottedKey,
  check,
  START,
  type Finding,
  type Locate,
  type Path,
  type Position
} from './findings.js'
import {
  CHARACTER_FIELDS,
  DIMENSION_PRESETS,
  DOCUMENTED_MODEL,
  VOICE_FIELDS,
  dimensionSchema,
  parseDimension,
  payloadSchema,
  sizeSchema,
  type scriptFileSchema
} from './schema.js'

export type ScriptData = z.infer<typeof scriptFileSchema>
type Scene = NonNullable<ScriptData['scenes']>[number]

/** Where each scene starts, for problems that concern a whole scene. */
export type SceneAt = (index: number) => Position

export interface Built {
  model: string
  title: string
  payload: Record<string, unknown>
  estimatedSeconds: number
  problems: Finding[]
  warnings: Finding[]
}

const WORDS_PER_MINUTE = 150

/** The request of a script of scenes that passed the schema and has what it needs. */
export function buildFromScenes(
  file: string,
  script: ScriptData,
  defaults: ScriptDefaults,
  locate: Locate
): Built {
  const model = script.model ?? defaults.model
  const size = parseDimension(script.dimension ?? defaults.dimension)
  const payload = {
    video_inputs: (script.scenes ?? []).map(scene => videoInput(script, scene, defaults)),
    dimension: size,
    caption: script.caption ?? defaults.caption,
    title: script.title ?? file
  }
  const where = { ...(script.dimension ? locate(['dimension']) : START), key: 'dimension' }
  return {
    model,
    title: script.title || file,
    payload,
    estimatedSeconds: estimate(payload.video_inputs),
    problems: [],
    warnings: size ? sizeWarnings(size, where) : []
  }
}

function defined(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined))
}

/** One `video_inputs` element: the scene's own keys over the script's, over the inputs. */
function videoInput(
  script: ScriptData,
  scene: Scene,
  defaults: ScriptDefaults
): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    type: 'avatar',
    avatar: defaults.avatarId || undefined,
    voice: defaults.voiceId || undefined,
    ...script,
    ...scene
  }
  const fields = (map: Record<string, string>): [string, unknown][] =>
    Object.entries(map).map(([key, field]) => [field, settings[key]])
  const character = defined(fields(CHARACTER_FIELDS))
  if (scene.audio !== undefined)
    return { character, voice: { type: 'audio', audio_url: scene.audio } }
  if (scene.silence !== undefined)
    return { character, voice: { type: 'silence', duration: scene.silence } }
  return {
    character,
    voice: defined([['type', 'text'], ['input_text', scene.text], ...fields(VOICE_FIELDS)])
  }
}

function sizeWarnings(
  size: { width: number; height: number },
  where: Omit<Finding, 'message'>
): Finding[] {
  const name = `${size.width}x${size.height}`
  const fourK = DIMENSION_PRESETS['4k']
  if (size.width === fourK.width && size.height === fourK.height) {
    return [{ ...where, message: `dimension ${name} (4k) needs a HeyGen enterprise account` }]
  }
  const documented = Object.values(DIMENSION_PRESETS)
  if (documented.some(preset => preset.width === size.width && preset.height === size.height))
    return []
  const sizes = documented.map(preset => `${preset.width}x${preset.height}`).join(', ')
  return [
    {
      ...where,
      message: `dimension ${name} is not a documented size (${sizes}); HeyGen may refuse it`
    }
  ]
}

/** Spoken seconds: words at 150 a minute divided by the voice speed, plus silences. */
function estimate(inputs: unknown[]): number {
  let seconds = 0
  for (const input of inputs) {
    const voice = (input as { voice?: Record<string, unknown> } | null)?.voice
    if (voice?.type === 'silence' && typeof voice.duration === 'number') seconds += voice.duration
    if (voice?.type === 'text' && typeof voice.input_text === 'string') {
      const words = voice.input_text.split(/\s+/).filter(Boolean).length
      const speed = typeof voice.speed === 'number' && voice.speed > 0 ? voice.speed : 1
      seconds += (words * 60) / WORDS_PER_MINUTE / speed
    }
  }
  return Math.round(seconds * 10) / 10
}

/**
 * A raw `payload:` is sent as written: it must be plain JSON, and for the documented model it is
 * checked against the reference, whose unknown keys (HeyGen's `background`...) are only warned of.
 */
export function buildFromPayload(
  file: string,
  model: string,
  payload: Record<string, unknown>,
  locate: Locate
): Built {
  const problems = notJson(payload, ['payload'], locate)
  const warnings: Finding[] = []
  if (model === DOCUMENTED_MODEL) {
    const findings = check(payloadSchema, payload, locate, {
      prefix: ['payload'],
      unknownKeys: name =>
        `${name} is not in the documented ${DOCUMENTED_MODEL} payload; it is sent as written`
    })
    problems.push(...findings.problems)
    warnings.push(...findings.warnings)
    const size = sizeSchema.safeParse(payload.dimension)
    if (size.success) {
      const where = { ...locate(['payload', 'dimension']), key: 'payload.dimension' }
      warnings.push(...sizeWarnings(size.data, where))
    }
  }
  const title = typeof payload.title === 'string' && payload.title !== '' ? payload.title : file
  const inputs = Array.isArray(payload.video_inputs) ? payload.video_inputs : []
  return { model, title, payload, estimatedSeconds: estimate(inputs), problems, warnings }
}

/** Values YAML can express but JSON cannot (`.inf`, `!!binary`...) would not survive sending. */
function notJson(value: unknown, path: Path, locate: Locate): Finding[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => notJson(item, [...path, i], locate))
  const prototype =
    value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined
  if (prototype === Object.prototype || prototype === null) {
    return Object.entries(value as object).flatMap(([key, item]) =>
      notJson(item, [...path, key], locate)
    )
  }
  const json =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  if (json) return []
  const got =
    typeof value === 'number' ? String(value) : (prototype?.constructor?.name ?? typeof value)
  const key = dottedKey(path)
  return [{ ...locate(path), key, message: `${key} is not a JSON value (got ${got})` }]
}

/** A script as written, before the schema: enough to check what it needs from the inputs. */
export interface Unchecked {
  top: Record<string, unknown>
  scenes: Record<string, unknown>[]
  /** The raw payload of a YAML or JSON script (never of front matter). */
  payload?: unknown
}

/**
 * Problems that depend on the inputs, found on the script as written so that they are reported
 * together with its schema problems: a scene without avatar, a text scene without voice, an
 * invalid `dimension` input. A script whose scenes all lack one gets a single problem.
 */
export function inputProblems(
  script: Unchecked,
  defaults: ScriptDefaults,
  sceneAt: SceneAt
): Finding[] {
  const problems: Finding[] = []
  const indexed = script.scenes.map((scene, index) => ({ scene, index }))
  const lacking = (key: string, input: string, scenes: typeof indexed): void => {
    if (script.top[key] !== undefined || input) return
    const without = scenes.filter(({ scene }) => scene[key] === undefined)
    if (without.length === 0) return
    const inputName = `${key}-id`
    if (without.length === scenes.length) {
      problems.push({
        ...START,
        key,
        message: `no ${key}: set ${key} in the script or the ${inputName} input`
      })
      return
    }
    for (const { index } of without) {
      const path = ['scenes', index, key]
      problems.push({
        ...sceneAt(index),
        key: dottedKey(path),
        message: `scene ${index + 1} has no ${key}: set ${key} on it or at the top of the script, or the ${inputName} input`
      })
    }
  }
  lacking('avatar', defaults.avatarId ?? '', indexed)
  lacking(
    'voice',
    defaults.voiceId ?? '',
    indexed.filter(({ scene }) => scene.audio === undefined && scene.silence === undefined)
  )
  if (script.top.dimension === undefined) {
    const findings = check(dimensionSchema, defaults.dimension, () => START, {
      prefix: ['dimension']
    })
    problems.push(
      ...findings.problems.map(problem => ({
        ...problem,
        message: `the ${problem.message.replace(/^dimension/, 'dimension input')}`
      }))
    )
  }
  return problems
}
