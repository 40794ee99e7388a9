import { describe, expect, it } from '@jest/globals'
import { parseScript } from '../../src/script/index.js'
import type { ScriptDefaults } from '../../src/types.js'
import { requestOf } from './helpers.js'

const defaults: ScriptDefaults = {
  model: 'heygen-avatar-4',
  avatarId: 'avatar-1',
  voiceId: 'voice-1',
  dimension: '720p',
  caption: false
}

function problemsOf(json: string) {
  const outcome = parseScript('videos/launch.json', json, defaults)
  if (outcome.ok) throw new Error('expected problems')
  return outcome.problems.map(({ line, column, key, message }) => ({ line, column, key, message }))
}

describe('a JSON script', () => {
  const json = [
    '{',
    '  "$schema": "../schema/script.schema.json",',
    '  "title": "Launch",',
    '  "scenes": [',
    '    { "text": "Hello there.", "speed": 1.1 },',
    '    { "silence": 2 }',
    '  ]',
    '}'
  ].join('\n')

  it('builds the same request as the same script in YAML', () => {
    const fromJson = requestOf(parseScript('videos/launch.json', json, defaults))
    const yaml = 'title: Launch\nscenes:\n  - text: Hello there.\n    speed: 1.1\n  - silence: 2\n'
    expect(fromJson.payload).toEqual({
      video_inputs: [
        {
          character: { type: 'avatar', avatar_id: 'avatar-1' },
          voice: { type: 'text', input_text: 'Hello there.', voice_id: 'voice-1', speed: 1.1 }
        },
        {
          character: { type: 'avatar', avatar_id: 'avatar-1' },
          voice: { type: 'silence', duration: 2 }
        }
      ],
      dimension: { width: 1280, height: 720 },
      caption: false,
      title: 'Launch'
    })
    const fromYaml = requestOf(parseScript('videos/launch.yml', yaml, defaults))
    expect(fromYaml.payload).toEqual(fromJson.payload)
    expect(fromYaml.hash).toBe(fromJson.hash)
  })

  it('accepts tabs, CRLF line ends and a BOM', () => {
    const outcome = parseScript(
      'v.json',
      `\uFEFF${json.replaceAll('  ', '\t').replaceAll('\n', '\r\n')}`,
      defaults
    )
    expect(outcome.ok).toBe(true)
  })

  it('points at the line and column of every wrong key and value', () => {
    const wrong = [
      '{',
      '  "title": "Launch",',
      '  "voice_id": "v",',
      '  "scenes": [',
      '    { "text": "Hi", "speed": 2 },',
      '    {',
      '      "silence": 0',
      '    }',
      '  ]',
      '}'
    ].join('\n')
    expect(problemsOf(wrong)).toEqual([
      { line: 3, column: 3, key: 'voice_id', message: 'unknown key voice_id; did you mean voice?' },
      {
        line: 5,
        column: 30,
        key: 'scenes.1.speed',
        message: 'speed must be between 0.5 and 1.5 (got 2)'
      },
      {
        line: 7,
        column: 18,
        key: 'scenes.2.silence',
        message: 'silence must be between 1 and 100 (got 0)'
      }
    ])
  })
})

describe('strict JSON', () => {
  it.each([
    [
      'a trailing comma in an object',
      '{"title": "T",\n}',
      1,
      14,
      'trailing comma after the last property'
    ],
    [
      'a trailing comma in a list',
      '{"scenes": [1, 2, ]}',
      1,
      17,
      'trailing comma after the last item'
    ],
    ['a comment', '{\n  // note\n  "title": "T"\n}', 2, 3, 'comments are not allowed'],
    ['single quotes', "{'title': 'T'}", 1, 2, `expected a double-quoted property name, found "'"`],
    [
      'an unquoted key',
      '{\n  title: "T"\n}',
      2,
      3,
      'expected a double-quoted property name, found "t"'
    ],
    ['a missing value', '{"title": }', 1, 11, 'expected a value, found "}"'],
    ['a missing colon', '{"title" "T"}', 1, 10, `expected ':', found "\\""`],
    ['a missing comma', '{"a": 1\n "b": 2}', 2, 2, `expected ',' or '}', found "\\""`],
    ['an unterminated string', '{"title": "T}', 1, 11, 'unterminated string'],
    ['a bad escape', '{"title": "\\x"}', 1, 12, 'invalid escape in string'],
    ['a raw tab in a string', '{"title": "a\tb"}', 1, 13, 'control character in string'],
    ['a bad number', '{"speed": .5}', 1, 11, 'expected a value, found "."'],
    [
      'text after the value',
      '{"title": "T"} x',
      1,
      16,
      'expected the end of the document, found "x"'
    ],
    ['an unclosed object', '{"title": "T"', 1, 14, "unexpected end, expected ',' or '}'"],
    ['an empty file', '', 1, 1, 'unexpected end, expected a value']
  ])('refuses %s, at its place', (_, json, line, column, message) => {
    expect(problemsOf(json)).toEqual([
      { line, column, key: undefined, message: `invalid JSON: ${message}` }
    ])
  })

  it('refuses YAML in a .json file', () => {
    expect(problemsOf('title: Launch\nscenes:\n  - text: Hi\n')).toEqual([
      { line: 1, column: 1, key: undefined, message: 'invalid JSON: expected a value, found "t"' }
    ])
  })

  it('refuses duplicate keys, at the second one', () => {
    expect(
      problemsOf('{\n  "title": "A",\n  "title": "B",\n  "scenes": [{"text": "Hi"}]\n}')
    ).toEqual([
      { line: 3, column: 3, key: undefined, message: 'invalid JSON: Map keys must be unique' }
    ])
  })

  it('must be an object', () => {
    expect(problemsOf('[{"text": "Hi"}]')).toEqual([
      {
        line: 1,
        column: 1,
        key: undefined,
        message: 'the script must be a mapping of keys such as title and scenes'
      }
    ])
  })
})
