import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { hashRequest, parseScript } from '../../src/script/index.js'
import type { ScriptDefaults } from '../../src/types.js'

const defaults: ScriptDefaults = {
  model: 'heygen-avatar-4',
  avatarId: 'avatar-1',
  voiceId: 'voice-1',
  dimension: '720p',
  caption: false
}

function hashOf(file: string, text: string, inputs: Partial<ScriptDefaults> = {}): string {
  const outcome = parseScript(file, text, { ...defaults, ...inputs })
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems))
  return outcome.request.hash
}

const BASE = 'title: Launch\nspeed: 1.1\nscenes:\n  - text: Hello there.\n  - silence: 2\n'

describe('hashRequest', () => {
  it('hashes the RFC 8785 canonical JSON of {model, payload}', () => {
    const canonical = '{"model":"m","payload":{"a":[1,"é",true,null],"b":{"c":1,"d":2}}}'
    expect(hashRequest('m', { b: { d: 2, c: 1 }, a: [1.0, 'é', true, null] })).toBe(
      createHash('sha256').update(canonical).digest('hex')
    )
  })

  it('is lowercase hex', () => {
    expect(hashRequest('m', {})).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('the hash of a script', () => {
  it('does not change with key order, layout or comments', () => {
    const reordered =
      '# the launch video\nscenes:\n  - text: "Hello   there."\n  -   silence: 2\n\nspeed: 1.1   # a bit faster\ntitle: Launch\n'
    expect(hashOf('videos/a.yml', reordered)).toBe(hashOf('videos/a.yml', BASE))
  })

  it('is the same for the same video written in YAML, JSON or Markdown', () => {
    const json = JSON.stringify({ scenes: [{ text: 'Hello there.' }], speed: 1.1, title: 'Launch' })
    const yaml = 'title: Launch\nspeed: 1.1\nscenes:\n  - text: Hello there.\n'
    const markdown = '---\ntitle: Launch\nspeed: 1.1\n---\n\nHello **there**.\n'
    expect(hashOf('v.json', json)).toBe(hashOf('v.yml', yaml))
    expect(hashOf('v.md', markdown)).toBe(hashOf('v.yml', yaml))
  })

  it('does not change with regenerate, which is not sent', () => {
    expect(hashOf('videos/a.yml', `regenerate: true\n${BASE}`)).toBe(hashOf('videos/a.yml', BASE))
  })

  it.each([
    ['the title', BASE.replace('Launch', 'Launch 2')],
    ['the words', BASE.replace('Hello there.', 'Hello there!')],
    ['the speed', BASE.replace('1.1', '1.2')],
    ['a silence', BASE.replace('silence: 2', 'silence: 3')],
    ['the caption', `caption: true\n${BASE}`],
    ['the dimension', `dimension: 1080p\n${BASE}`],
    ['the avatar', `avatar: avatar-2\n${BASE}`],
    ['the style', `style: circle\n${BASE}`],
    ['the model', `model: heygen-avatar-v4\n${BASE}`],
    [
      'the scene order',
      BASE.replace(
        '  - text: Hello there.\n  - silence: 2\n',
        '  - silence: 2\n  - text: Hello there.\n'
      )
    ]
  ])('changes with %s', (_, changed) => {
    expect(hashOf('videos/a.yml', changed)).not.toBe(hashOf('videos/a.yml', BASE))
  })

  it('changes with the inputs it uses, and with the path when that is the title', () => {
    const untitled = 'scenes:\n  - text: Hi\n'
    expect(hashOf('a.yml', untitled, { voiceId: 'voice-2' })).not.toBe(hashOf('a.yml', untitled))
    expect(hashOf('a.yml', untitled, { caption: true })).not.toBe(hashOf('a.yml', untitled))
    expect(hashOf('b.yml', untitled)).not.toBe(hashOf('a.yml', untitled))
    expect(hashOf('b.yml', BASE)).toBe(hashOf('a.yml', BASE))
  })

  it('is the hash of exactly what is sent', () => {
    const outcome = parseScript('a.yml', BASE, defaults)
    expect(outcome.ok && outcome.request.hash).toBe(
      outcome.ok && hashRequest(outcome.request.model, outcome.request.payload)
    )
  })
})
