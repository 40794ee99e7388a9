import { describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { parse as parseYaml } from 'yaml'
import { parseScript } from '../../src/script/index.js'
import { scriptJsonSchema } from '../../src/script/schema.js'

// ajv-formats is CommonJS: its default export arrives as the module object or the function.
const addFormats = ((addFormatsModule as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default

const committed = new URL('../../schema/script.schema.json', import.meta.url)

describe('the editors’ JSON Schema', () => {
  it('is what src/script/schema.js generates (run node scripts/generate-schema.js)', async () => {
    expect(JSON.parse(await readFile(committed, 'utf8'))).toEqual(scriptJsonSchema())
  })

  it('is a valid draft-07 schema without unknown keywords or loose types', () => {
    const ajv = new Ajv({ strictSchema: true, strictTypes: true, strictTuples: true })
    addFormats(ajv)
    expect(() => ajv.compile(scriptJsonSchema())).not.toThrow()
  })

  it('describes every key and closes every object', () => {
    const schema = scriptJsonSchema() as {
      properties: Record<string, { description?: string; items?: unknown }>
      additionalProperties: boolean
    }
    const scene = schema.properties.scenes!.items as typeof schema
    for (const object of [schema, scene]) {
      expect(object.additionalProperties).toBe(false)
      for (const [key, property] of Object.entries(object.properties)) {
        expect([key, typeof property.description]).toEqual([key, 'string'])
      }
    }
  })

  // What an editor flags, the action refuses, and the other way round, for the rules a JSON
  // Schema can express (even sizes and voice keys on silent scenes are the action's alone).
  describe('agrees with the action', () => {
    const ajv = new Ajv({ allErrors: true })
    addFormats(ajv)
    const validate = ajv.compile(scriptJsonSchema())
    const defaults = {
      model: 'heygen-avatar-4',
      avatarId: 'a',
      voiceId: 'v',
      dimension: '720p',
      caption: false
    }

    it.each([
      ['a minimal script', 'scenes:\n  - text: Hi\n', true],
      [
        'every key',
        'title: T\nmodel: m\ndimension: 1920x1080\ncaption: true\nregenerate: false\ntype: talking_photo\navatar: a\nstyle: closeUp\nscale: 1\noffset: {x: 0, y: 0}\nvoice: v\nspeed: 1.5\npitch: -50\nemotion: Soothing\nscenes:\n  - text: Hi\n    style: circle\n  - audio: https://a.b/c.mp3\n  - silence: 100\n',
        true
      ],
      ['a raw payload', 'model: m\nregenerate: true\npayload: {prompt: x}\n', true],
      ['an unknown key', 'colour: red\nscenes:\n  - text: Hi\n', false],
      ['an unknown scene key', 'scenes:\n  - text: Hi\n    avatar_id: a\n', false],
      ['a speed out of range', 'speed: 1.6\nscenes:\n  - text: Hi\n', false],
      ['a pitch that is not an integer', 'pitch: 1.5\nscenes:\n  - text: Hi\n', false],
      ['a style in the wrong case', 'style: closeup\nscenes:\n  - text: Hi\n', false],
      ['a dimension name in the wrong case', 'dimension: 4K\nscenes:\n  - text: Hi\n', false],
      ['an http audio', 'scenes:\n  - audio: http://a.b/c.mp3\n', false],
      ['a silence too long', 'scenes:\n  - silence: 101\n', false],
      [
        'text and audio in one scene',
        'scenes:\n  - text: Hi\n    audio: https://a.b/c.mp3\n',
        false
      ],
      ['a scene without content', 'scenes:\n  - speed: 1\n', false],
      ['no scenes', 'scenes: []\n', false],
      ['neither scenes nor payload', 'title: T\n', false],
      ['both scenes and payload', 'scenes:\n  - text: Hi\npayload: {prompt: x}\nmodel: m\n', false],
      ['a title beside a payload', 'title: T\nmodel: m\npayload: {prompt: x}\n', false],
      ['an offset without y', 'offset: {x: 1}\nscenes:\n  - text: Hi\n', false]
    ])('on %s', (_, yaml, valid) => {
      expect(validate(parseYaml(yaml))).toBe(valid)
      expect(parseScript('s.yml', yaml, defaults).ok).toBe(valid)
    })
  })
})
