// The README's script examples are what users copy: each must be a valid script.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseScript } from '../src/script/index.js'
import { ROOT } from '../stand-ins/runner.js'

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Script files'), readme.indexOf('## Inputs'))
const examples = [...section.matchAll(/```(markdown|yaml|json)\n([\s\S]*?)```/g)].map(
  ([, lang, text]) => ({ lang: lang!, text: text! })
)
const extension = { markdown: 'md', yaml: 'yml', json: 'json' } as const
const defaults = {
  model: 'heygen-avatar-4',
  avatarId: 'Daisy-inskirt-20220818',
  voiceId: '2d5b0e6cf36f460aa7fc47e3eee4ba54',
  dimension: '720p',
  caption: false
}

describe('README script examples', () => {
  it('has examples of every kind', () => {
    expect(examples.map(e => e.lang).sort()).toEqual(['json', 'markdown', 'yaml', 'yaml'])
  })

  it.each(examples.map((e, i) => [i + 1, e] as const))('example %i is a valid script', (_, e) => {
    const outcome = parseScript(
      `videos/example.${extension[e.lang as keyof typeof extension]}`,
      e.text,
      defaults
    )
    expect(outcome.ok ? [] : outcome.problems).toEqual([])
  })
})
