// The one definition of the script format and of the documented heygen-avatar-4 payload: the
// parser validates with these zod schemas, and `scripts/generate-schema.js` turns the script
// schema into `schema/script.schema.json` for editors. zod rather than a hand-written JSON Schema
// because zod is a runtime dependency (ajv is only a dev one) and it gives typed values and
// per-key paths; plain JavaScript so that plain `node` imports it without a build step.
import { z } from 'zod'

/** The only model whose payload the reference documents, and so the only one validated. */
export const DOCUMENTED_MODEL = 'heygen-avatar-4'

/** Named sizes; the documented ones, of which 4k needs an enterprise account. */
export const DIMENSION_PRESETS = {
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
  '4k': { width: 3840, height: 2160 }
}

/** Where each character and voice key of a script goes in a `video_inputs` element. */
export const CHARACTER_FIELDS = {
  type: 'type',
  avatar: 'avatar_id',
  style: 'avatar_style',
  scale: 'scale',
  offset: 'offset'
}
export const VOICE_FIELDS = {
  voice: 'voice_id',
  speed: 'speed',
  pitch: 'pitch',
  emotion: 'emotion'
}
/** What a scene speaks, and the voice field that carries it. */
export const CONTENT_FIELDS = { text: 'input_text', audio: 'audio_url', silence: 'duration' }

// Integers are numbers that are a multiple of 1 (typed `integer` for editors) rather than z.int(),
// whose failure aborts the refinements of every enclosing object: they would then go unreported.
function integer(error) {
  return z.number().multipleOf(1, { error }).meta({ type: 'integer' })
}

/** A number range whose error message states both bounds. */
function between(min, max, { whole = false } = {}) {
  const error = `must be ${whole ? 'an integer ' : ''}between ${min} and ${max}`
  return (whole ? integer(error) : z.number()).min(min, { error }).max(max, { error })
}

const sideError = 'must be an even integer between 128 and 4096'
const side = integer(sideError)
  .multipleOf(2, { error: sideError })
  .min(128, { error: sideError })
  .max(4096, { error: sideError })

/** A video size in pixels, as HeyGen accepts it. */
export const sizeSchema = z.strictObject({
  width: side.meta({ description: 'Width in pixels.' }),
  height: side.meta({ description: 'Height in pixels.' })
})

/** `720p`, `1080p`, `4k` or `WIDTHxHEIGHT`, turned into `{width, height}` (null when malformed). */
export function parseDimension(value) {
  const preset = DIMENSION_PRESETS[value]
  if (preset) return preset
  const match = /^([0-9]+)x([0-9]+)$/.exec(value)
  return match ? { width: Number(match[1]), height: Number(match[2]) } : null
}

/** The `dimension` key and input. */
export const dimensionSchema = z
  .string()
  .regex(/^(720p|1080p|4k|[0-9]+x[0-9]+)$/, { error: 'must be 720p, 1080p, 4k or WIDTHxHEIGHT' })
  .superRefine((value, ctx) => {
    const size = parseDimension(value)
    // A malformed value is the pattern's problem.
    if (size && !sizeSchema.safeParse(size).success) {
      ctx.addIssue({
        code: 'custom',
        input: value,
        message: 'must have an even width and height between 128 and 4096'
      })
    }
  })

const id = z.string().min(1, { error: 'must not be empty' })
const text = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(5000, { error: 'must be at most 5000 characters' })
const characterType = z.enum(['avatar', 'talking_photo'])
const avatarStyle = z.enum(['normal', 'circle', 'closeUp'])
const scale = between(0, 5)
const offset = z.strictObject({
  x: z.number().meta({ description: 'Horizontal offset.' }),
  y: z.number().meta({ description: 'Vertical offset.' })
})
const speed = between(0.5, 1.5)
const pitch = between(-50, 50, { whole: true })
const emotion = z.enum(['Excited', 'Friendly', 'Serious', 'Soothing', 'Broadcaster'])

/** The text of one scene, as the Markdown reader checks what is left to speak. */
export const spokenTextSchema = text

const videoKeys = {
  title: z.string().optional().meta({ description: 'Sent as `title`. Default: the script path.' }),
  model: z
    .string()
    .min(1, { error: 'must not be empty' })
    .optional()
    .meta({ description: 'Request-queue model. Default: the `model` input (heygen-avatar-4).' }),
  dimension: dimensionSchema.optional().meta({
    description:
      'Sent as `dimension`: 720p (1280x720), 1080p (1920x1080), 4k (3840x2160, enterprise accounts only) or WIDTHxHEIGHT with even sides from 128 to 4096. Default: the `dimension` input.'
  }),
  caption: z.boolean().optional().meta({
    description: 'Sent as `caption`: auto-generated captions. Default: the `caption` input.'
  }),
  regenerate: z.boolean().optional().meta({
    description: 'Not sent. true makes a new video even when an identical one was made before.'
  })
}

const characterKeys = {
  type: characterType
    .optional()
    .meta({ description: 'Sent as `character.type`. Default: avatar.' }),
  avatar: id.optional().meta({
    description:
      "Sent as `character.avatar_id`, from HeyGen's avatar list. Default: the `avatar-id` input."
  }),
  style: avatarStyle.optional().meta({ description: 'Sent as `character.avatar_style`.' }),
  scale: scale.optional().meta({ description: 'Sent as `character.scale`, 0 to 5.' }),
  offset: offset.optional().meta({ description: 'Sent as `character.offset`.' })
}

const voiceKeys = {
  voice: id.optional().meta({
    description:
      "Sent as `voice.voice_id` of text scenes, from HeyGen's voice list. Default: the `voice-id` input."
  }),
  speed: speed
    .optional()
    .meta({ description: 'Sent as `voice.speed` of text scenes, 0.5 to 1.5.' }),
  pitch: pitch
    .optional()
    .meta({ description: 'Sent as `voice.pitch` of text scenes, an integer from -50 to 50.' }),
  emotion: emotion.optional().meta({ description: 'Sent as `voice.emotion` of text scenes.' })
}

/** Checks that exactly one of `keys` is set, and names the one too many. */
function exactlyOne(keys, noun) {
  const list = `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}`
  return (value, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return
    const present = keys.filter(key => value[key] !== undefined)
    if (present.length === 0) {
      ctx.addIssue({ code: 'custom', message: `needs one of ${list}` })
    }
    for (const extra of present.slice(1)) {
      ctx.addIssue({
        code: 'custom',
        path: [extra],
        message: `cannot be used together with ${present[0]}: ${noun} has exactly one of ${list}`
      })
    }
  }
}

/** Audio and silence scenes have no voice to set. */
function voiceOnlyForText(scene, ctx) {
  if (typeof scene !== 'object' || scene === null) return
  if (scene.audio === undefined && scene.silence === undefined) return
  for (const key of Object.keys(VOICE_FIELDS)) {
    if (scene[key] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'applies only to text scenes' })
    }
  }
}

// Refinements run even when a key of the same object is already wrong, so that every problem of
// a file is reported at once.
const always = { when: () => true }

/** The keys of Markdown front matter, also the top-level keys of YAML and JSON scripts. */
export const frontMatterSchema = z.strictObject({ ...videoKeys, ...characterKeys, ...voiceKeys })

const sceneSchema = z
  .strictObject({
    text: text.optional().meta({ description: 'Words to speak, at most 5000 characters.' }),
    audio: z
      .url({ protocol: /^https$/, error: 'must be an https URL' })
      .optional()
      .meta({
        description: 'An https URL of audio to play instead of speaking.',
        pattern: '^https://'
      }),
    silence: between(1, 100).optional().meta({ description: 'Seconds of silence, 1 to 100.' }),
    ...characterKeys,
    ...voiceKeys
  })
  .superRefine(exactlyOne(Object.keys(CONTENT_FIELDS), 'a scene'), always)
  .superRefine(voiceOnlyForText, always)
  .meta({
    description:
      'One scene: exactly one of text, audio or silence, and any character or voice key.',
    oneOf: [{ required: ['text'] }, { required: ['audio'] }, { required: ['silence'] }]
  })

// A raw payload is sent as written, so settings that would change it have nowhere to go.
const BESIDE_PAYLOAD = ['$schema', 'model', 'regenerate', 'payload']

function onlyBesidePayload(script, ctx) {
  if (typeof script !== 'object' || script === null || script.payload === undefined) return
  for (const key of Object.keys(script)) {
    // Scenes beside a payload is already the exactly-one-of problem.
    if (!BESIDE_PAYLOAD.includes(key) && key !== 'scenes') {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'cannot be used with payload, which is sent as written: set it inside the payload'
      })
    }
  }
}

export const scriptFileSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'This schema, for editors. Not sent.' }),
    ...videoKeys,
    ...characterKeys,
    ...voiceKeys,
    scenes: z
      .array(sceneSchema)
      .min(1, { error: 'must list 1 to 50 scenes' })
      .max(50, { error: 'must list 1 to 50 scenes' })
      .optional()
      .meta({ description: 'The scenes of the video, 1 to 50.' }),
    payload: z.record(z.string(), z.unknown()).optional().meta({
      description:
        'The raw request-queue payload, sent as written instead of scenes (validated when the model is heygen-avatar-4). Only model and regenerate may stand beside it.'
    })
  })
  .superRefine(exactlyOne(['scenes', 'payload'], 'a script'), always)
  .superRefine(onlyBesidePayload, always)
  .meta({
    title: 'avatar-video-action script',
    description: 'One video: top-level settings plus either scenes or a raw payload.',
    oneOf: [
      { required: ['scenes'], not: { required: ['payload'] } },
      { required: ['payload'], propertyNames: { enum: BESIDE_PAYLOAD } }
    ]
  })

const payloadVoice = z
  .strictObject({
    type: z.enum(['text', 'audio', 'silence']),
    input_text: text.optional(),
    voice_id: id.optional(),
    speed: speed.optional(),
    pitch: pitch.optional(),
    emotion: emotion.optional(),
    // The reference names the audio and silence types without their fields: HeyGen's own
    // names, checked for type only.
    audio_url: z.string().optional(),
    audio_asset_id: z.string().optional(),
    duration: z.number().optional()
  })
  .superRefine((voice, ctx) => {
    if (voice?.type !== 'text') return
    for (const key of ['input_text', 'voice_id']) {
      if (voice[key] === undefined)
        ctx.addIssue({ code: 'custom', message: `needs ${key} when type is text` })
    }
  }, always)

/** The documented heygen-avatar-4 payload; keys it does not know are only warned about. */
export const payloadSchema = z.strictObject({
  video_inputs: z
    .array(
      z.strictObject({
        character: z.strictObject({
          type: characterType,
          avatar_id: id,
          avatar_style: avatarStyle.optional(),
          scale: scale.optional(),
          offset: offset.optional()
        }),
        voice: payloadVoice
      })
    )
    .min(1, { error: 'must list 1 to 50 scenes' })
    .max(50, { error: 'must list 1 to 50 scenes' }),
  dimension: sizeSchema.optional(),
  caption: z.boolean().optional(),
  title: z.string().optional()
})

/** The editors' JSON Schema of YAML and JSON script files. */
export function scriptJsonSchema() {
  return z.toJSONSchema(scriptFileSchema, { target: 'draft-07' })
}
