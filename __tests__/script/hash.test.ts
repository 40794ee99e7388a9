import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { hashRequest, parseScript } from '../../src/script/index.js'
import type { ScriptDefaults } from '../../src/types.js'
import { requestOf } from './helpers.js'

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
    const request = requestOf(parseScript('a.yml', BASE, defaults))
    expect(request.hash).toBe(hashRequest(request.model, request.payload))
  })
})

describe('the same words, the same hash', () => {
  // Every construct whose spoken form is defined, in one Markdown script.
  const markdown = [
    '---',
    'title: Launch',
    'speed: 1.1',
    'emotion: Friendly',
    '---',
    '# Welcome to Acme&nbsp;&mdash; fast&hellip;',
    '',
    'Hi, I\'m **Daisy**, and this is _Acme_: it keeps your [deployments](https://example.com/d "Deploys")',
    'calm.<br>Run `acme deploy`, and ~~worry~~ relax.[^calm]',
    '<!-- a note for the editors -->',
    '![The dashboard](dashboard.png)',
    '',
    '- One click&#8230;',
    '- [x] two regions &#x2014; <span class="x">done</span>',
    '',
    '> Trusted by &copy; <b>teams</b>.\\',
    '> See <https://acme.example>.',
    '',
    '[^calm]: Not spoken: a footnote.',
    '',
    '---',
    '',
    "Let's start with the dashboard  ",
    'and its [reports][r].',
    '',
    '[r]: https://example.com/reports'
  ].join('\n')

  const words = [
    "Welcome to Acme — fast… Hi, I'm Daisy, and this is Acme: it keeps your deployments calm. Run acme deploy, and worry relax. One click… two regions — done. Trusted by © teams. See https://acme.example.",
    "Let's start with the dashboard and its reports."
  ]

  it('is the same for a Markdown and a YAML script that speak them with the same settings', () => {
    const yaml = [
      'title: Launch',
      'speed: 1.1',
      'emotion: Friendly',
      'scenes:',
      ...words.map(text => `  - text: ${JSON.stringify(text)}`)
    ].join('\n')
    const fromMarkdown = requestOf(parseScript('videos/launch.md', markdown, defaults))
    const fromYaml = requestOf(parseScript('videos/launch.yml', yaml, defaults))
    const spoken = (inputs: unknown) =>
      (inputs as { voice: { input_text: string } }[]).map(input => input.voice.input_text)
    expect(spoken(fromMarkdown.payload.video_inputs)).toEqual(words)
    expect(fromMarkdown.payload).toEqual(fromYaml.payload)
    expect(fromMarkdown.hash).toBe(fromYaml.hash)
  })
})
