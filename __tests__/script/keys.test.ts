import { describe, expect, it } from '@jest/globals'
import { parseScript } from '../../src/script/index.js'
import type { ScriptDefaults } from '../../src/types.js'

const defaults: ScriptDefaults = {
  model: 'heygen-avatar-4',
  avatarId: 'avatar-1',
  voiceId: 'voice-1',
  dimension: '720p',
  caption: false
}

function parse(yaml: string, inputs: Partial<ScriptDefaults> = {}) {
  return parseScript('videos/launch.yml', yaml, { ...defaults, ...inputs })
}

function payloadOf(yaml: string, inputs: Partial<ScriptDefaults> = {}) {
  const outcome = parse(yaml, inputs)
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems))
  return outcome.request.payload
}

function problemsOf(yaml: string, inputs: Partial<ScriptDefaults> = {}) {
  const outcome = parse(yaml, inputs)
  if (outcome.ok) throw new Error(`expected problems, got ${JSON.stringify(outcome.request)}`)
  return outcome.problems.map(({ line, column, key, message }) => ({ line, column, key, message }))
}

function warningsOf(yaml: string, inputs: Partial<ScriptDefaults> = {}) {
  return parse(yaml, inputs).warnings.map(({ line, column, key, message }) => ({
    line,
    column,
    key,
    message
  }))
}

const CHARACTER = { type: 'avatar', avatar_id: 'avatar-1' }
const VOICE = { type: 'text', input_text: 'Hello.', voice_id: 'voice-1' }

describe('a YAML script with one text scene', () => {
  it('sends the scene, the default size, caption and the path as title', () => {
    expect(payloadOf('scenes:\n  - text: Hello.\n')).toEqual({
      video_inputs: [{ character: CHARACTER, voice: VOICE }],
      dimension: { width: 1280, height: 720 },
      caption: false,
      title: 'videos/launch.yml'
    })
  })
})

// Each key set at the top of the script, and what it changes in the payload.
describe.each([
  ['title: Launch day', { title: 'Launch day' }],
  ["title: ''", { title: '' }],
  ['caption: true', { caption: true }],
  ['caption: false', { caption: false }],
  ['dimension: 720p', { dimension: { width: 1280, height: 720 } }],
  ['dimension: 1080p', { dimension: { width: 1920, height: 1080 } }],
  ['dimension: 4k', { dimension: { width: 3840, height: 2160 } }],
  ['dimension: 1920x1080', { dimension: { width: 1920, height: 1080 } }],
  ['dimension: 128x4096', { dimension: { width: 128, height: 4096 } }],
  ['dimension: 1080x1920', { dimension: { width: 1080, height: 1920 } }],
  ['type: avatar', { character: { type: 'avatar' } }],
  ['type: talking_photo', { character: { type: 'talking_photo' } }],
  ['avatar: Daisy-inskirt-20220818', { character: { avatar_id: 'Daisy-inskirt-20220818' } }],
  ['style: normal', { character: { avatar_style: 'normal' } }],
  ['style: circle', { character: { avatar_style: 'circle' } }],
  ['style: closeUp', { character: { avatar_style: 'closeUp' } }],
  ['scale: 0', { character: { scale: 0 } }],
  ['scale: 2.5', { character: { scale: 2.5 } }],
  ['scale: 5', { character: { scale: 5 } }],
  ['offset: {x: 0.1, y: -0.2}', { character: { offset: { x: 0.1, y: -0.2 } } }],
  [
    'voice: 2d5b0e6cf36f460aa7fc47e3eee4ba54',
    { voice: { voice_id: '2d5b0e6cf36f460aa7fc47e3eee4ba54' } }
  ],
  ['speed: 0.5', { voice: { speed: 0.5 } }],
  ['speed: 1.5', { voice: { speed: 1.5 } }],
  ['pitch: -50', { voice: { pitch: -50 } }],
  ['pitch: 0', { voice: { pitch: 0 } }],
  ['pitch: 50', { voice: { pitch: 50 } }],
  ['emotion: Excited', { voice: { emotion: 'Excited' } }],
  ['emotion: Friendly', { voice: { emotion: 'Friendly' } }],
  ['emotion: Serious', { voice: { emotion: 'Serious' } }],
  ['emotion: Soothing', { voice: { emotion: 'Soothing' } }],
  ['emotion: Broadcaster', { voice: { emotion: 'Broadcaster' } }]
])('a script with %s', (line, change) => {
  const { character, voice, ...video } = change as {
    character?: object
    voice?: object
  } & Record<string, unknown>
  const expected = {
    video_inputs: [{ character: { ...CHARACTER, ...character }, voice: { ...VOICE, ...voice } }],
    dimension: { width: 1280, height: 720 },
    caption: false,
    title: 'videos/launch.yml',
    ...video
  }

  it('sends it at the top level', () => {
    expect(payloadOf(`${line}\nscenes:\n  - text: Hello.\n`)).toEqual(expected)
  })

  if (character || voice) {
    it('sends it from a scene too', () => {
      expect(payloadOf(`scenes:\n  - text: Hello.\n    ${line}\n`)).toEqual(expected)
    })
  }
})

describe('keys that are not sent', () => {
  it('keeps regenerate out of the payload and its hash', () => {
    const plain = parse('scenes:\n  - text: Hello.\n')
    const forced = parse('regenerate: true\nscenes:\n  - text: Hello.\n')
    expect(plain.ok && forced.ok).toBe(true)
    if (!plain.ok || !forced.ok) return
    expect([plain.request.regenerate, forced.request.regenerate]).toEqual([false, true])
    expect(forced.request.payload).toEqual(plain.request.payload)
    expect(forced.request.hash).toBe(plain.request.hash)
  })

  it('takes the model from the script over the input', () => {
    const outcome = parse('model: heygen-avatar-v4\nscenes:\n  - text: Hello.\n')
    expect(outcome.ok && outcome.request.model).toBe('heygen-avatar-v4')
    const byInput = parse('scenes:\n  - text: Hello.\n', { model: 'other-model' })
    expect(byInput.ok && byInput.request.model).toBe('other-model')
  })

  it('accepts a $schema line for editors and sends nothing of it', () => {
    expect(payloadOf('$schema: ../schema/script.schema.json\nscenes:\n  - text: Hello.\n')).toEqual(
      payloadOf('scenes:\n  - text: Hello.\n')
    )
  })
})

describe('inputs as defaults', () => {
  it('uses the dimension and caption inputs when the script says nothing', () => {
    const payload = payloadOf('scenes:\n  - text: Hello.\n', { dimension: '1080p', caption: true })
    expect([payload.dimension, payload.caption]).toEqual([{ width: 1920, height: 1080 }, true])
  })

  it('lets the script win over the inputs', () => {
    const payload = payloadOf(
      'dimension: 720p\ncaption: false\navatar: a2\nvoice: v2\nscenes:\n  - text: Hi\n',
      {
        dimension: '1080p',
        caption: true
      }
    )
    expect(payload).toEqual({
      video_inputs: [
        {
          character: { type: 'avatar', avatar_id: 'a2' },
          voice: { type: 'text', input_text: 'Hi', voice_id: 'v2' }
        }
      ],
      dimension: { width: 1280, height: 720 },
      caption: false,
      title: 'videos/launch.yml'
    })
  })

  it('lets a scene win over the top of the script', () => {
    const payload = payloadOf(
      'speed: 1.2\nstyle: circle\nscenes:\n  - text: A\n  - text: B\n    speed: 0.8\n    style: normal\n'
    )
    expect(payload.video_inputs).toEqual([
      {
        character: { ...CHARACTER, avatar_style: 'circle' },
        voice: { ...VOICE, input_text: 'A', speed: 1.2 }
      },
      {
        character: { ...CHARACTER, avatar_style: 'normal' },
        voice: { ...VOICE, input_text: 'B', speed: 0.8 }
      }
    ])
  })
})

// Each wrong value at the top of the script: where it is reported, and how.
describe.each([
  ['title: 5', 8, 'title must be a string (got 5)'],
  ["model: ''", 8, 'model must not be empty (got "")'],
  ['caption: yes', 10, 'caption must be true or false (got "yes")'],
  ['regenerate: 1', 13, 'regenerate must be true or false (got 1)'],
  [
    'dimension: 1001x720',
    12,
    'dimension must have an even width and height between 128 and 4096 (got "1001x720")'
  ],
  [
    'dimension: 126x720',
    12,
    'dimension must have an even width and height between 128 and 4096 (got "126x720")'
  ],
  [
    'dimension: 4098x720',
    12,
    'dimension must have an even width and height between 128 and 4096 (got "4098x720")'
  ],
  [
    'dimension: 4K',
    12,
    'dimension must be 720p, 1080p, 4k or WIDTHxHEIGHT (got "4K"); did you mean 4k?'
  ],
  [
    'dimension: 1080P',
    12,
    'dimension must be 720p, 1080p, 4k or WIDTHxHEIGHT (got "1080P"); did you mean 1080p?'
  ],
  [
    'dimension: 1920 x 1080',
    12,
    'dimension must be 720p, 1080p, 4k or WIDTHxHEIGHT (got "1920 x 1080")'
  ],
  ['dimension: 1080', 12, 'dimension must be a string (got 1080)'],
  ['type: photo', 7, 'type must be one of avatar, talking_photo (got "photo")'],
  [
    'type: Avatar',
    7,
    'type must be one of avatar, talking_photo (got "Avatar"); did you mean avatar?'
  ],
  ["avatar: ''", 9, 'avatar must not be empty (got "")'],
  ['avatar: 12345', 9, 'avatar must be a string (got 12345)'],
  [
    'style: closeup',
    8,
    'style must be one of normal, circle, closeUp (got "closeup"); did you mean closeUp?'
  ],
  [
    'style: Normal',
    8,
    'style must be one of normal, circle, closeUp (got "Normal"); did you mean normal?'
  ],
  ['style: square', 8, 'style must be one of normal, circle, closeUp (got "square")'],
  ['scale: -0.1', 8, 'scale must be between 0 and 5 (got -0.1)'],
  ['scale: 5.1', 8, 'scale must be between 0 and 5 (got 5.1)'],
  ['scale: big', 8, 'scale must be a number (got "big")'],
  ['offset: 5', 9, 'offset must be a mapping (got 5)'],
  ["offset: {x: 'a', y: 0}", 13, 'offset.x must be a number (got "a")'],
  ['voice: 42', 8, 'voice must be a string (got 42)'],
  ['speed: 0.49', 8, 'speed must be between 0.5 and 1.5 (got 0.49)'],
  ['speed: 1.51', 8, 'speed must be between 0.5 and 1.5 (got 1.51)'],
  ['speed: fast', 8, 'speed must be a number (got "fast")'],
  ['speed:', 1, 'speed must be a number (got null)'],
  ['pitch: -51', 8, 'pitch must be an integer between -50 and 50 (got -51)'],
  ['pitch: 51', 8, 'pitch must be an integer between -50 and 50 (got 51)'],
  ['pitch: 1.5', 8, 'pitch must be an integer between -50 and 50 (got 1.5)'],
  [
    'emotion: excited',
    10,
    'emotion must be one of Excited, Friendly, Serious, Soothing, Broadcaster (got "excited"); did you mean Excited?'
  ],
  [
    'emotion: Frendly',
    10,
    'emotion must be one of Excited, Friendly, Serious, Soothing, Broadcaster (got "Frendly"); did you mean Friendly?'
  ],
  [
    'emotion: Happy',
    10,
    'emotion must be one of Excited, Friendly, Serious, Soothing, Broadcaster (got "Happy")'
  ]
])('a script with %s', (line, column, message) => {
  const key = line.split(':')[0]!
  const subkey = message.startsWith('offset.x') ? 'offset.x' : key

  it('is invalid, pointing at the value', () => {
    expect(problemsOf(`${line}\nscenes:\n  - text: Hello.\n`)).toEqual([
      { line: 1, column, key: subkey, message }
    ])
  })

  const sceneLevel = !['title', 'model', 'caption', 'regenerate', 'dimension'].includes(key)
  if (sceneLevel) {
    it('is invalid in a scene too, pointing at the value there', () => {
      expect(problemsOf(`scenes:\n  - text: Hello.\n    ${line}\n`)).toEqual([
        { line: 3, column: column + 4, key: `scenes.1.${subkey}`, message }
      ])
    })
  }
})

describe('an offset', () => {
  it('needs both x and y, reported where the offset starts', () => {
    expect(problemsOf('offset: {x: 1}\nscenes:\n  - text: Hello.\n')).toEqual([
      { line: 1, column: 9, key: 'offset.y', message: 'offset.y is required' }
    ])
  })

  it('knows no other key', () => {
    expect(problemsOf('offset:\n  x: 0\n  y: 0\n  z: 1\nscenes:\n  - text: Hello.\n')).toEqual([
      { line: 4, column: 3, key: 'offset.z', message: 'unknown key z' }
    ])
  })
})

describe('unknown keys', () => {
  it.each([
    ['avatar_id', 'unknown key avatar_id; did you mean avatar?'],
    ['voice_id', 'unknown key voice_id; did you mean voice?'],
    ['avatar_style', 'unknown key avatar_style; did you mean style?'],
    ['Speed', 'unknown key Speed; did you mean speed?'],
    ['emotions', 'unknown key emotions; did you mean emotion?'],
    ['captions', 'unknown key captions; did you mean caption?'],
    ['colour', 'unknown key colour']
  ])('%s is refused at the key', (key, message) => {
    expect(problemsOf(`title: T\n${key}: x\nscenes:\n  - text: Hello.\n`)).toEqual([
      { line: 2, column: 1, key, message }
    ])
  })

  it.each([
    ['input_text', 'unknown key input_text; did you mean text?'],
    ['audio_url', 'unknown key audio_url; did you mean audio?'],
    ['duration', 'unknown key duration; did you mean silence?'],
    ['scale_', 'unknown key scale_; did you mean scale?']
  ])('%s in a scene is refused at the key', (key, message) => {
    expect(problemsOf(`scenes:\n  - text: Hello.\n    ${key}: 1\n`)).toEqual([
      { line: 3, column: 5, key: `scenes.1.${key}`, message }
    ])
  })
})

describe('scenes', () => {
  it('speaks text, plays https audio and keeps silence', () => {
    const payload = payloadOf(
      'scenes:\n  - text: Hello.\n  - audio: https://cdn.example.com/a.mp3\n  - silence: 2.5\n'
    )
    expect(payload.video_inputs).toEqual([
      { character: CHARACTER, voice: VOICE },
      {
        character: CHARACTER,
        voice: { type: 'audio', audio_url: 'https://cdn.example.com/a.mp3' }
      },
      { character: CHARACTER, voice: { type: 'silence', duration: 2.5 } }
    ])
  })

  it('gives the voice keys of the script to text scenes only', () => {
    const payload = payloadOf(
      'speed: 1.2\nemotion: Serious\nscenes:\n  - silence: 1\n  - text: Hi\n'
    )
    expect(payload.video_inputs).toEqual([
      { character: CHARACTER, voice: { type: 'silence', duration: 1 } },
      {
        character: CHARACTER,
        voice: {
          type: 'text',
          input_text: 'Hi',
          voice_id: 'voice-1',
          speed: 1.2,
          emotion: 'Serious'
        }
      }
    ])
  })

  it('speaks text as one line, however it is laid out in YAML', () => {
    const payload = payloadOf('scenes:\n  - text: |\n      Hello\n      there.\n\n      Bye.\n')
    expect(payload.video_inputs).toEqual([
      { character: CHARACTER, voice: { ...VOICE, input_text: 'Hello there. Bye.' } }
    ])
  })

  it.each([
    ['silence: 1', { type: 'silence', duration: 1 }],
    ['silence: 100', { type: 'silence', duration: 100 }],
    [`text: ${'a'.repeat(5000)}`, { ...VOICE, input_text: 'a'.repeat(5000) }]
  ])('accepts %s', (line, voice) => {
    expect(payloadOf(`scenes:\n  - ${line}\n`).video_inputs).toEqual([
      { character: CHARACTER, voice }
    ])
  })

  it.each([
    ['silence: 0.9', 14, 'scenes.1.silence', 'silence must be between 1 and 100 (got 0.9)'],
    ['silence: 100.5', 14, 'scenes.1.silence', 'silence must be between 1 and 100 (got 100.5)'],
    ['silence: long', 14, 'scenes.1.silence', 'silence must be a number (got "long")'],
    ["text: ''", 11, 'scenes.1.text', 'text must not be empty (got "")'],
    [
      `text: ${'a'.repeat(5001)}`,
      11,
      'scenes.1.text',
      'text must be at most 5000 characters (got 5001 characters)'
    ],
    [
      'audio: http://cdn.example.com/a.mp3',
      12,
      'scenes.1.audio',
      'audio must be an https URL (got "http://cdn.example.com/a.mp3")'
    ],
    ['audio: not a url', 12, 'scenes.1.audio', 'audio must be an https URL (got "not a url")'],
    ['audio: 5', 12, 'scenes.1.audio', 'audio must be an https URL (got 5)']
  ])('refuses %s', (line, column, key, message) => {
    expect(problemsOf(`scenes:\n  - ${line}\n`)).toEqual([{ line: 2, column, key, message }])
  })

  it('needs one of text, audio or silence', () => {
    expect(problemsOf('scenes:\n  - speed: 1\n')).toEqual([
      {
        line: 2,
        column: 5,
        key: 'scenes.1',
        message: 'scenes.1 needs one of text, audio or silence'
      }
    ])
  })

  it('takes only one of text, audio or silence', () => {
    expect(
      problemsOf('scenes:\n  - text: Hi\n    audio: https://a.b/c.mp3\n    silence: 2\n')
    ).toEqual([
      {
        line: 3,
        column: 5,
        key: 'scenes.1.audio',
        message:
          'audio cannot be used together with text: a scene has exactly one of text, audio or silence'
      },
      {
        line: 4,
        column: 5,
        key: 'scenes.1.silence',
        message:
          'silence cannot be used together with text: a scene has exactly one of text, audio or silence'
      }
    ])
  })

  it.each(['voice: v', 'speed: 1', 'pitch: 1', 'emotion: Serious'])(
    'refuses %s on a silence scene',
    line => {
      const key = line.split(':')[0]
      expect(problemsOf(`scenes:\n  - silence: 2\n    ${line}\n`)).toEqual([
        {
          line: 3,
          column: 5,
          key: `scenes.1.${key}`,
          message: `${key} applies only to text scenes`
        }
      ])
    }
  )

  it('allows 1 to 50 scenes', () => {
    const scenes = (count: number) => `scenes:\n${'  - text: Hi\n'.repeat(count)}`
    expect(payloadOf(scenes(50)).video_inputs).toHaveLength(50)
    expect(problemsOf(scenes(51))).toEqual([
      { line: 2, column: 3, key: 'scenes', message: 'scenes must list 1 to 50 scenes (got 51)' }
    ])
    expect(problemsOf('scenes: []\n')).toEqual([
      { line: 1, column: 9, key: 'scenes', message: 'scenes must list 1 to 50 scenes (got 0)' }
    ])
  })

  it('must be a list of mappings', () => {
    expect(problemsOf('scenes: Hello\n')).toEqual([
      { line: 1, column: 9, key: 'scenes', message: 'scenes must be a list (got "Hello")' }
    ])
    expect(problemsOf('scenes:\n  - Hello\n')).toEqual([
      { line: 2, column: 5, key: 'scenes.1', message: 'scenes.1 must be a mapping (got "Hello")' }
    ])
  })
})

describe('the script as a whole', () => {
  it('needs scenes or a payload', () => {
    expect(problemsOf('title: T\n')).toEqual([
      { line: 1, column: 1, key: undefined, message: 'the script needs one of scenes or payload' }
    ])
  })

  it('takes scenes or a payload, not both', () => {
    const payload =
      'payload:\n  video_inputs:\n    - character: {type: avatar, avatar_id: a}\n      voice: {type: silence, duration: 1}\n'
    expect(problemsOf(`scenes:\n  - text: Hi\n${payload}`)).toEqual([
      {
        line: 3,
        column: 1,
        key: 'payload',
        message:
          'payload cannot be used together with scenes: a script has exactly one of scenes or payload'
      }
    ])
  })

  it('must be a mapping', () => {
    expect(problemsOf('- text: Hi\n')).toEqual([
      {
        line: 1,
        column: 1,
        key: undefined,
        message: 'the script must be a mapping of keys such as title and scenes'
      }
    ])
  })

  it('must not be empty', () => {
    expect(problemsOf('# nothing yet\n')).toEqual([
      {
        line: 1,
        column: 1,
        key: undefined,
        message: 'the script is empty: it needs scenes or payload'
      }
    ])
  })

  it.each([
    ['title: a: b\nscenes: []\n', 1, 8, 'Nested mappings are not allowed in compact mappings'],
    ['title: T\n\tspeed: 1\n', 2, 1, 'Tabs are not allowed as indentation']
  ])('reports YAML syntax errors at their place: %j', (yaml, line, column, message) => {
    expect(problemsOf(yaml)).toEqual([
      { line, column, key: undefined, message: `invalid YAML: ${message}` }
    ])
  })

  it('refuses duplicate keys', () => {
    expect(problemsOf('title: A\ntitle: B\nscenes:\n  - text: Hi\n')).toEqual([
      { line: 2, column: 1, key: undefined, message: 'invalid YAML: Map keys must be unique' }
    ])
  })

  it('refuses several YAML documents in one file', () => {
    expect(problemsOf('scenes:\n  - text: A\n---\nscenes:\n  - text: B\n')).toEqual([
      {
        line: 3,
        column: 1,
        key: undefined,
        message:
          'invalid YAML: Source contains multiple documents; please use YAML.parseAllDocuments()'
      }
    ])
  })

  it('reports every problem of the file at once, in file order', () => {
    const yaml = [
      'title: T',
      'speed: 2',
      'colour: red',
      'scenes:',
      '  - text: Hi',
      '    style: closeup',
      '  - silence: 0',
      '  - audio: http://a.b/c.mp3',
      '    pitch: 1.5'
    ].join('\n')
    expect(problemsOf(yaml, { avatarId: undefined })).toEqual([
      {
        line: 1,
        column: 1,
        key: 'avatar',
        message: 'no avatar: set avatar in the script or the avatar-id input'
      },
      { line: 2, column: 8, key: 'speed', message: 'speed must be between 0.5 and 1.5 (got 2)' },
      { line: 3, column: 1, key: 'colour', message: 'unknown key colour' },
      {
        line: 6,
        column: 12,
        key: 'scenes.1.style',
        message:
          'style must be one of normal, circle, closeUp (got "closeup"); did you mean closeUp?'
      },
      {
        line: 7,
        column: 14,
        key: 'scenes.2.silence',
        message: 'silence must be between 1 and 100 (got 0)'
      },
      {
        line: 8,
        column: 12,
        key: 'scenes.3.audio',
        message: 'audio must be an https URL (got "http://a.b/c.mp3")'
      },
      { line: 9, column: 5, key: 'scenes.3.pitch', message: 'pitch applies only to text scenes' },
      {
        line: 9,
        column: 12,
        key: 'scenes.3.pitch',
        message: 'pitch must be an integer between -50 and 50 (got 1.5)'
      }
    ])
  })
})

describe('avatar and voice', () => {
  it('needs an avatar from the script or the input', () => {
    expect(problemsOf('scenes:\n  - text: Hi\n', { avatarId: undefined })).toEqual([
      {
        line: 1,
        column: 1,
        key: 'avatar',
        message: 'no avatar: set avatar in the script or the avatar-id input'
      }
    ])
    expect(problemsOf('scenes:\n  - text: Hi\n', { avatarId: '' })).toHaveLength(1)
    expect(
      payloadOf('avatar: a9\nscenes:\n  - text: Hi\n', { avatarId: undefined }).video_inputs
    ).toEqual([
      { character: { type: 'avatar', avatar_id: 'a9' }, voice: { ...VOICE, input_text: 'Hi' } }
    ])
  })

  it('names the scenes that lack one when others have their own', () => {
    const yaml = 'scenes:\n  - text: A\n    avatar: a1\n  - text: B\n  - silence: 1\n'
    expect(problemsOf(yaml, { avatarId: undefined })).toEqual([
      {
        line: 4,
        column: 5,
        key: 'scenes.2.avatar',
        message:
          'scene 2 has no avatar: set avatar on it or at the top of the script, or the avatar-id input'
      },
      {
        line: 5,
        column: 5,
        key: 'scenes.3.avatar',
        message:
          'scene 3 has no avatar: set avatar on it or at the top of the script, or the avatar-id input'
      }
    ])
  })

  it('needs a voice for text scenes only', () => {
    const noVoice = { voiceId: undefined }
    expect(problemsOf('scenes:\n  - text: Hi\n', noVoice)).toEqual([
      {
        line: 1,
        column: 1,
        key: 'voice',
        message: 'no voice: set voice in the script or the voice-id input'
      }
    ])
    expect(
      payloadOf('scenes:\n  - silence: 2\n  - audio: https://a.b/c.mp3\n', noVoice).video_inputs
    ).toHaveLength(2)
    expect(
      problemsOf('scenes:\n  - silence: 2\n  - text: A\n    voice: v\n  - text: B\n', noVoice)
    ).toEqual([
      {
        line: 5,
        column: 5,
        key: 'scenes.3.voice',
        message:
          'scene 3 has no voice: set voice on it or at the top of the script, or the voice-id input'
      }
    ])
  })

  it('reports a missing avatar and voice in a Markdown script once', () => {
    const outcome = parseScript('v.md', 'One\n---\nTwo', {
      ...defaults,
      avatarId: undefined,
      voiceId: undefined
    })
    expect(!outcome.ok && outcome.problems.map(p => [p.line, p.column, p.key])).toEqual([
      [1, 1, 'avatar'],
      [1, 1, 'voice']
    ])
  })
})

describe('dimension warnings', () => {
  it('warns that 4k needs an enterprise account', () => {
    expect(warningsOf('dimension: 4k\nscenes:\n  - text: Hi\n')).toEqual([
      {
        line: 1,
        column: 12,
        key: 'dimension',
        message: 'dimension 3840x2160 (4k) needs a HeyGen enterprise account'
      }
    ])
    expect(warningsOf('dimension: 3840x2160\nscenes:\n  - text: Hi\n')).toHaveLength(1)
  })

  it('warns of a size HeyGen does not document', () => {
    expect(warningsOf('dimension: 1080x1080\nscenes:\n  - text: Hi\n')).toEqual([
      {
        line: 1,
        column: 12,
        key: 'dimension',
        message:
          'dimension 1080x1080 is not a documented size (1280x720, 1920x1080, 3840x2160); HeyGen may refuse it'
      }
    ])
  })

  it('does not warn of a documented size', () => {
    expect(warningsOf('dimension: 1920x1080\nscenes:\n  - text: Hi\n')).toEqual([])
  })

  it('warns at the top of the file when the size comes from the input', () => {
    expect(warningsOf('scenes:\n  - text: Hi\n', { dimension: '4k' })).toEqual([
      {
        line: 1,
        column: 1,
        key: 'dimension',
        message: 'dimension 3840x2160 (4k) needs a HeyGen enterprise account'
      }
    ])
  })

  it('reports a wrong dimension input on each script that uses it', () => {
    expect(problemsOf('scenes:\n  - text: Hi\n', { dimension: '8k' })).toEqual([
      {
        line: 1,
        column: 1,
        key: 'dimension',
        message:
          'the dimension input must be 720p, 1080p, 4k or WIDTHxHEIGHT (got "8k"); did you mean 4k?'
      }
    ])
    expect(
      payloadOf('dimension: 720p\nscenes:\n  - text: Hi\n', { dimension: '8k' }).dimension
    ).toEqual({
      width: 1280,
      height: 720
    })
  })
})

describe('estimated duration', () => {
  const seconds = (yaml: string) => {
    const outcome = parse(yaml)
    return outcome.ok ? outcome.request.estimatedSeconds : null
  }
  const words = (count: number) => Array.from({ length: count }, () => 'word').join(' ')

  it('counts 150 words a minute at speed 1', () => {
    expect(seconds(`scenes:\n  - text: ${words(150)}\n`)).toBe(60)
  })

  it('divides by the speed', () => {
    expect(seconds(`speed: 1.5\nscenes:\n  - text: ${words(150)}\n`)).toBe(40)
  })

  it('adds silences and counts audio as nothing', () => {
    expect(
      seconds(`scenes:\n  - text: ${words(15)}\n  - silence: 5\n  - audio: https://a.b/c.mp3\n`)
    ).toBe(11)
  })
})
