// A pull request controls its script files: a document built to exhaust the parser costs that
// script its place, with a message naming the file and line, never the run or anyone's time.
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

const LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]'
].join('\n')

const DEEP = 200_000

/** Milliseconds of CPU spent parsing: unlike wall time, not stretched by a busy machine. */
function problemsOf(file: string, text: string) {
  const started = process.cpuUsage()
  const outcome = parseScript(file, text, defaults)
  const { user, system } = process.cpuUsage(started)
  const ms = (user + system) / 1000
  if (outcome.ok) throw new Error(`${file} was accepted`)
  return { problems: outcome.problems, ms }
}

describe('a hostile script', () => {
  it('with a billion laughs in YAML is invalid, and named', () => {
    const { problems } = problemsOf('videos/bomb.yml', `${LAUGHS}\nscenes: [{ text: *g }]\n`)
    expect(problems).toEqual([
      {
        file: 'videos/bomb.yml',
        line: 1,
        column: 1,
        message: expect.stringMatching(/^invalid YAML: .*alias.* \(at most 100 aliases\)$/i)
      }
    ])
  })

  it('with a billion laughs in front matter is invalid, at the front matter', () => {
    const { problems } = problemsOf('videos/bomb.md', `---\n${LAUGHS}\n---\nHello.\n`)
    expect(problems[0]).toMatchObject({
      file: 'videos/bomb.md',
      line: 2,
      message: expect.stringMatching(/^invalid YAML: .*alias/i)
    })
  })

  it.each([
    ['JSON arrays', 'videos/deep.json', '['.repeat(DEEP) + ']'.repeat(DEEP)],
    ['YAML flow mappings', 'videos/deep.yml', `scenes: ${'{a: '.repeat(DEEP)}1${'}'.repeat(DEEP)}`],
    ['YAML block sequences', 'videos/deep.yaml', `${'- '.repeat(DEEP)}x`],
    [
      'YAML block mappings',
      'videos/deep.yml',
      Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')
    ]
  ])('nested 200,000 deep (%s) is refused before parsing', (_, file, text) => {
    const { problems, ms } = problemsOf(file, text)
    expect(problems).toEqual([
      {
        file,
        line: 1,
        column: 1,
        message: 'the document nests more than 64 levels deep: a script needs far fewer'
      }
    ])
    // Refused by a scan, not by a parse that takes seconds (a generous bound for slow machines).
    expect(ms).toBeLessThan(1000)
  })

  it('nested as deep as a real script still parses', () => {
    const text = [
      'scenes:',
      '  - text: Hello [with] {braces}.',
      '    offset:',
      '      x: 0.1',
      '      y: 0.2'
    ].join('\n')
    expect(parseScript('videos/ok.yml', text, defaults).ok).toBe(true)
  })
})
