import { describe, expect, it } from '@jest/globals'
import { parseScript } from '../../src/script/index.js'
import type { ScriptDefaults } from '../../src/types.js'

const defaults: ScriptDefaults = {
  model: 'heygen-avatar-4',
  dimension: '720p',
  caption: false
}

const MINIMAL = {
  video_inputs: [
    {
      character: { type: 'avatar', avatar_id: 'a1' },
      voice: { type: 'text', input_text: 'Hello.', voice_id: 'v1' }
    }
  ]
}

/** A script whose raw payload is `payload` with `change` applied at `path`. */
function scriptWith(path: (string | number)[], change: unknown, model?: string): string {
  const payload = structuredClone(MINIMAL) as Record<string, unknown>
  let target: Record<string | number, unknown> = payload
  for (const step of path.slice(0, -1)) target = target[step] as Record<string | number, unknown>
  const last = path.at(-1)!
  if (change === undefined) delete target[last]
  else target[last] = change
  // One key per line, so that each key has a line of its own to be reported on.
  return JSON.stringify({ ...(model && { model }), payload }, null, 2)
}

function parse(json: string) {
  return parseScript('videos/raw.json', json, defaults)
}

function problemsOf(json: string) {
  const outcome = parse(json)
  if (outcome.ok) throw new Error('expected problems')
  return outcome.problems.map(({ key, message }) => ({ key, message }))
}

/** The 1-based line and column of the first `"name": ` in `text`, at its value or key. */
function positionOf(text: string, name: string, part: 'key' | 'value' = 'value') {
  const offset = text.indexOf(`"${name}": `) + (part === 'value' ? name.length + 4 : 0)
  const before = text.slice(0, offset).split('\n')
  return { line: before.length, column: before.at(-1)!.length + 1 }
}

describe('a raw payload for heygen-avatar-4', () => {
  it('is sent as written, with no default added', () => {
    const outcome = parse(scriptWith(['caption'], undefined))
    expect(outcome.ok && outcome.request.payload).toEqual(MINIMAL)
    expect(outcome.ok && outcome.request.title).toBe('videos/raw.json')
  })

  it('takes its title for the report', () => {
    const outcome = parse(scriptWith(['title'], 'Raw'))
    expect(outcome.ok && outcome.request.title).toBe('Raw')
  })

  // Every row of the reference, inside and past its rule.
  it.each([
    [['dimension'], { width: 1280, height: 720 }],
    [['dimension'], { width: 1920, height: 1080 }],
    [['caption'], true],
    [['title'], ''],
    [['video_inputs', 0, 'character', 'type'], 'talking_photo'],
    [['video_inputs', 0, 'character', 'avatar_style'], 'closeUp'],
    [['video_inputs', 0, 'character', 'scale'], 0],
    [['video_inputs', 0, 'character', 'scale'], 5],
    [['video_inputs', 0, 'character', 'offset'], { x: 0.5, y: -0.5 }],
    [['video_inputs', 0, 'voice', 'input_text'], 'a'.repeat(5000)],
    [['video_inputs', 0, 'voice', 'speed'], 0.5],
    [['video_inputs', 0, 'voice', 'speed'], 1.5],
    [['video_inputs', 0, 'voice', 'pitch'], -50],
    [['video_inputs', 0, 'voice', 'pitch'], 50],
    [['video_inputs', 0, 'voice', 'emotion'], 'Broadcaster'],
    [['video_inputs', 0, 'voice'], { type: 'audio', audio_url: 'https://a.b/c.mp3' }],
    [['video_inputs', 0, 'voice'], { type: 'audio', audio_asset_id: 'asset-1' }],
    [['video_inputs', 0, 'voice'], { type: 'silence', duration: 3 }],
    [['video_inputs'], Array(50).fill(MINIMAL.video_inputs[0])]
  ])('accepts %j = %j', (path, value) => {
    const outcome = parse(scriptWith(path, value))
    expect(outcome.ok && outcome.warnings).toEqual([])
  })

  it.each([
    [['video_inputs'], undefined, 'payload.video_inputs', 'payload.video_inputs is required'],
    [
      ['video_inputs'],
      [],
      'payload.video_inputs',
      'payload.video_inputs must list 1 to 50 scenes (got 0)'
    ],
    [
      ['video_inputs'],
      Array(51).fill(MINIMAL.video_inputs[0]),
      'payload.video_inputs',
      'payload.video_inputs must list 1 to 50 scenes (got 51)'
    ],
    [
      ['video_inputs'],
      'x',
      'payload.video_inputs',
      'payload.video_inputs must be a list (got "x")'
    ],
    [
      ['dimension'],
      { width: 1001, height: 720 },
      'payload.dimension.width',
      'payload.dimension.width must be an even integer between 128 and 4096 (got 1001)'
    ],
    [
      ['dimension'],
      { width: 1280, height: 4098 },
      'payload.dimension.height',
      'payload.dimension.height must be an even integer between 128 and 4096 (got 4098)'
    ],
    [
      ['dimension'],
      '1080p',
      'payload.dimension',
      'payload.dimension must be a mapping (got "1080p")'
    ],
    [['caption'], 'yes', 'payload.caption', 'payload.caption must be true or false (got "yes")'],
    [['title'], 5, 'payload.title', 'payload.title must be a string (got 5)'],
    [
      ['video_inputs', 0, 'character', 'type'],
      undefined,
      'payload.video_inputs.1.character.type',
      'character.type is required'
    ],
    [
      ['video_inputs', 0, 'character', 'type'],
      'Avatar',
      'payload.video_inputs.1.character.type',
      'character.type must be one of avatar, talking_photo (got "Avatar"); did you mean avatar?'
    ],
    [
      ['video_inputs', 0, 'character', 'avatar_id'],
      undefined,
      'payload.video_inputs.1.character.avatar_id',
      'character.avatar_id is required'
    ],
    [
      ['video_inputs', 0, 'character', 'avatar_style'],
      'closeup',
      'payload.video_inputs.1.character.avatar_style',
      'character.avatar_style must be one of normal, circle, closeUp (got "closeup"); did you mean closeUp?'
    ],
    [
      ['video_inputs', 0, 'character', 'scale'],
      5.5,
      'payload.video_inputs.1.character.scale',
      'character.scale must be between 0 and 5 (got 5.5)'
    ],
    [
      ['video_inputs', 0, 'character', 'offset'],
      { x: 'left', y: 0 },
      'payload.video_inputs.1.character.offset.x',
      'character.offset.x must be a number (got "left")'
    ],
    [
      ['video_inputs', 0, 'voice', 'type'],
      'video',
      'payload.video_inputs.1.voice.type',
      'voice.type must be one of text, audio, silence (got "video")'
    ],
    [
      ['video_inputs', 0, 'voice', 'input_text'],
      undefined,
      'payload.video_inputs.1.voice',
      'voice needs input_text when type is text'
    ],
    [
      ['video_inputs', 0, 'voice', 'voice_id'],
      undefined,
      'payload.video_inputs.1.voice',
      'voice needs voice_id when type is text'
    ],
    [
      ['video_inputs', 0, 'voice', 'input_text'],
      'a'.repeat(5001),
      'payload.video_inputs.1.voice.input_text',
      'voice.input_text must be at most 5000 characters (got 5001 characters)'
    ],
    [
      ['video_inputs', 0, 'voice', 'speed'],
      0.4,
      'payload.video_inputs.1.voice.speed',
      'voice.speed must be between 0.5 and 1.5 (got 0.4)'
    ],
    [
      ['video_inputs', 0, 'voice', 'pitch'],
      -51,
      'payload.video_inputs.1.voice.pitch',
      'voice.pitch must be an integer between -50 and 50 (got -51)'
    ],
    [
      ['video_inputs', 0, 'voice', 'pitch'],
      2.5,
      'payload.video_inputs.1.voice.pitch',
      'voice.pitch must be an integer between -50 and 50 (got 2.5)'
    ],
    [
      ['video_inputs', 0, 'voice', 'emotion'],
      'friendly',
      'payload.video_inputs.1.voice.emotion',
      'voice.emotion must be one of Excited, Friendly, Serious, Soothing, Broadcaster (got "friendly"); did you mean Friendly?'
    ],
    [
      ['video_inputs', 0, 'voice'],
      { type: 'audio', audio_url: 5 },
      'payload.video_inputs.1.voice.audio_url',
      'voice.audio_url must be a string (got 5)'
    ],
    [
      ['video_inputs', 0, 'voice'],
      { type: 'silence', duration: 'long' },
      'payload.video_inputs.1.voice.duration',
      'voice.duration must be a number (got "long")'
    ]
  ])('refuses %j = %j', (path, value, key, message) => {
    expect(problemsOf(scriptWith(path, value))).toEqual([{ key, message }])
  })

  it('points at the offending value in the file', () => {
    const json = scriptWith(['video_inputs', 0, 'voice', 'speed'], 9)
    const outcome = parse(json)
    expect(!outcome.ok && outcome.problems[0]).toMatchObject(positionOf(json, 'speed'))
  })

  it('sends undocumented keys with a warning at each', () => {
    const json = JSON.stringify(
      {
        payload: {
          ...MINIMAL,
          video_inputs: [
            { ...MINIMAL.video_inputs[0], background: { type: 'color', value: '#008000' } }
          ],
          callback_id: 'x'
        }
      },
      null,
      2
    )
    const outcome = parse(json)
    expect(outcome.ok && outcome.request.payload).toEqual(JSON.parse(json).payload)
    expect(
      outcome.warnings.map(({ line, column, key, message }) => ({ line, column, key, message }))
    ).toEqual([
      {
        ...positionOf(json, 'background', 'key'),
        key: 'payload.video_inputs.1.background',
        message:
          'background is not in the documented heygen-avatar-4 payload; it is sent as written'
      },
      {
        ...positionOf(json, 'callback_id', 'key'),
        key: 'payload.callback_id',
        message:
          'callback_id is not in the documented heygen-avatar-4 payload; it is sent as written'
      }
    ])
  })

  it('suggests the field meant by an undocumented key', () => {
    const outcome = parse(scriptWith(['video_inputs', 0, 'voice', 'speeed'], 1))
    expect(outcome.warnings.map(w => w.message)).toEqual([
      'speeed is not in the documented heygen-avatar-4 payload; it is sent as written'
    ])
  })

  it('warns of 4k and of undocumented sizes', () => {
    const fourK = parse(scriptWith(['dimension'], { width: 3840, height: 2160 }))
    const square = parse(scriptWith(['dimension'], { width: 1080, height: 1080 }))
    expect(fourK.ok && fourK.warnings.map(w => [w.key, w.message])).toEqual([
      ['payload.dimension', 'dimension 3840x2160 (4k) needs a HeyGen enterprise account']
    ])
    expect(square.ok && square.warnings.map(w => w.key)).toEqual(['payload.dimension'])
  })

  it('allows only model and regenerate beside it', () => {
    const yaml =
      'model: heygen-avatar-4\nregenerate: true\ntitle: T\nspeed: 1\npayload:\n  video_inputs: []\n'
    const outcome = parseScript('videos/raw.yml', yaml, defaults)
    expect(
      !outcome.ok &&
        outcome.problems.map(({ line, column, key, message }) => ({ line, column, key, message }))
    ).toEqual([
      {
        line: 3,
        column: 1,
        key: 'title',
        message:
          'title cannot be used with payload, which is sent as written: set it inside the payload'
      },
      {
        line: 4,
        column: 1,
        key: 'speed',
        message:
          'speed cannot be used with payload, which is sent as written: set it inside the payload'
      },
      {
        line: 6,
        column: 17,
        key: 'payload.video_inputs',
        message: 'payload.video_inputs must list 1 to 50 scenes (got 0)'
      }
    ])
  })

  it('does not need the avatar-id and voice-id inputs', () => {
    expect(parse(scriptWith(['caption'], false)).ok).toBe(true)
  })
})

describe('a raw payload for another model', () => {
  it('is sent as written without checks', () => {
    const outcome = parse(
      JSON.stringify({ model: 'kling-v2', payload: { prompt: 'a cat', duration: 99 } })
    )
    expect(
      outcome.ok && [outcome.request.model, outcome.request.payload, outcome.warnings]
    ).toEqual(['kling-v2', { prompt: 'a cat', duration: 99 }, []])
  })

  it('takes the model input too', () => {
    const outcome = parseScript('r.json', '{"payload": {"prompt": "x"}}', {
      ...defaults,
      model: 'other'
    })
    expect(outcome.ok && outcome.request.model).toBe('other')
  })

  it('must still be a mapping', () => {
    expect(problemsOf('{"model": "kling-v2", "payload": [1]}')).toEqual([
      { key: 'payload', message: 'payload must be a mapping (got a list)' }
    ])
  })

  it('must be plain JSON', () => {
    const yaml = 'model: kling-v2\npayload:\n  strength: .inf\n  data: !!binary aGVsbG8=\n'
    const outcome = parseScript('videos/raw.yml', yaml, defaults)
    expect(
      !outcome.ok &&
        outcome.problems.map(({ line, column, key, message }) => ({ line, column, key, message }))
    ).toEqual([
      {
        line: 3,
        column: 13,
        key: 'payload.strength',
        message: 'payload.strength is not a JSON value (got Infinity)'
      },
      {
        line: 4,
        column: 18,
        key: 'payload.data',
        message: 'payload.data is not a JSON value (got Buffer)'
      }
    ])
  })
})
