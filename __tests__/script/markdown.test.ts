import { describe, expect, it } from '@jest/globals'
import { parseScript } from '../../src/script/index.js'
import type { ScriptDefaults } from '../../src/types.js'

/** Milliseconds of CPU this process spent: unlike wall time, not stretched by a busy machine. */
const cpuMs = ({ user, system }: NodeJS.CpuUsage) => (user + system) / 1000

const defaults: ScriptDefaults = {
  model: 'heygen-avatar-4',
  avatarId: 'avatar-1',
  voiceId: 'voice-1',
  dimension: '720p',
  caption: false
}

/** The words each scene of a Markdown script speaks. */
function spoken(markdown: string, file = 'videos/intro.md'): string[] {
  const outcome = parseScript(file, markdown, defaults)
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems))
  const inputs = outcome.request.payload.video_inputs as { voice: { input_text: string } }[]
  return inputs.map(input => input.voice.input_text)
}

function problems(markdown: string) {
  const outcome = parseScript('videos/intro.md', markdown, defaults)
  if (outcome.ok) throw new Error('expected problems')
  return outcome.problems.map(({ line, column, key, message }) => ({ line, column, key, message }))
}

describe('what a Markdown script speaks', () => {
  it.each([
    ['plain words', 'Hello there.', 'Hello there.'],
    ['lines of a paragraph joined', 'Hello\nthere.', 'Hello there.'],
    ['runs of spaces and tabs collapsed', '  Hello \t  there.  ', 'Hello there.'],
    ['paragraphs joined', 'One.\n\n\nTwo.', 'One. Two.'],
    ['a sentence break after a paragraph without one', 'One\n\nTwo', 'One. Two'],
    ['no extra stop after a question or quote', 'Why?\n\nSaid "so."\n\nYes', 'Why? Said "so." Yes'],
    ['heading marks dropped, with a pause', '# Welcome\nto the show', 'Welcome. to the show'],
    ['closing heading marks dropped', '## Part two ##\n\nText.', 'Part two. Text.'],
    ['a hashtag is not a heading', '#hashtag here', '#hashtag here'],
    ['setext heading underline dropped', 'Title\n=====\nBody.', 'Title. Body.'],
    [
      'bold and italics',
      'A **bold** and *italic* and ***both*** word.',
      'A bold and italic and both word.'
    ],
    ['underscore emphasis', 'An __important__ _point_.', 'An important point.'],
    ['strikethrough', 'Not ~~this~~ that.', 'Not this that.'],
    ['nested emphasis', '**bold *and italic* text**', 'bold and italic text'],
    ['snake_case stays', 'Call get_user_name now.', 'Call get_user_name now.'],
    ['a lone asterisk stays', '5 * 3 = 15', '5 * 3 = 15'],
    [
      'escaped markup stays literal',
      'Not \\*emphasis\\* and \\# here',
      'Not *emphasis* and # here'
    ],
    ['inline code keeps its text', 'Run `npm test` today.', 'Run npm test today.'],
    ['markup inside code is kept', 'Type `*ptr` here.', 'Type *ptr here.'],
    ['double backtick code', 'Use ``a ` b`` now.', 'Use a ` b now.'],
    ['inline link keeps its text', 'See [the docs](https://x.y/docs "Docs").', 'See the docs.'],
    ['link target with parentheses', 'See [Foo](https://w.org/Foo_(bar)) now.', 'See Foo now.'],
    [
      'reference link keeps its text',
      'See [the docs][docs].\n\n[docs]: https://x.y',
      'See the docs.'
    ],
    ['shortcut reference link', 'See [docs].\n\n[docs]: https://x.y "T"', 'See docs.'],
    ['brackets without a definition stay', 'Tick [x] here.', 'Tick [x] here.'],
    [
      'autolink keeps its address',
      'Visit <https://example.com> now.',
      'Visit https://example.com now.'
    ],
    ['image dropped with its alt text', 'Look ![a chart](chart.png) here.', 'Look here.'],
    ['reference image dropped', 'Look ![chart][c] here.\n\n[c]: c.png', 'Look here.'],
    ['linked image dropped', 'Badge [![ci](b.svg)](https://ci) ok.', 'Badge ok.'],
    ['HTML tags dropped, their text kept', 'A <b>bold</b> <br/> word.', 'A bold word.'],
    ['a comparison is not a tag', 'If a < b and c > d.', 'If a < b and c > d.'],
    ['HTML comment dropped', 'Say <!-- not this --> this.', 'Say this.'],
    ['multi-line HTML comment dropped', 'Say\n<!-- not\nthis -->\nthis.', 'Say this.'],
    ['entities decoded', 'Fish &amp; chips &#8212; &quot;yum&quot;', 'Fish & chips — "yum"'],
    ['code fence dropped', 'Before.\n\n```js\nconst x = 1\n```\n\nAfter.', 'Before. After.'],
    ['tilde fence dropped', 'Before.\n~~~\ncode\n~~~\nAfter.', 'Before. After.'],
    ['list bullets dropped', '- apples\n- pears\n* plums\n+ figs', 'apples. pears. plums. figs'],
    ['numbered list dropped', '1. First,\n2) second.', 'First, second.'],
    ['task list boxes dropped', '- [ ] todo\n- [x] done', 'todo. done'],
    ['blockquote marks dropped', '> Quoted\n> > deeper.', 'Quoted deeper.'],
    ['thematic break dropped', 'One.\n\n***\n\nTwo.', 'One. Two.'],
    ['four dashes are a break, not a scene', 'One.\n----\nTwo.', 'One. Two.'],
    ['hard line break backslash dropped', 'One\\\nTwo', 'One Two'],
    ['a BOM is not spoken', '\uFEFFHello.', 'Hello.'],
    ['CRLF line ends', 'One.\r\n\r\nTwo.', 'One. Two.']
  ])('%s', (_, markdown, expected) => {
    expect(spoken(markdown)).toEqual([expected])
  })

  it.each([
    ['a single tilde stays', 'About ~5 minutes.', 'About ~5 minutes.'],
    ['intraword asterisks are emphasis', 'un*believ*able', 'unbelievable'],
    ['emphasis across a code span', '*see `x` here*', 'see x here']
  ])('%s', (_, markdown, expected) => {
    expect(spoken(markdown)).toEqual([expected])
  })

  it('stays quick on text full of unpaired markup', () => {
    const started = process.cpuUsage()
    for (const unit of ['*a ', '_a ', '`a ``b ', '[a](', '<a ', '<!--']) {
      parseScript('v.md', unit.repeat((256 * 1024) / unit.length), defaults)
    }
    expect(cpuMs(process.cpuUsage(started))).toBeLessThan(5000)
  })

  it('reads a .txt script the same way', () => {
    expect(spoken('Hello *there*.', 'videos/plain.txt')).toEqual(['Hello there.'])
  })
})

describe('scenes of a Markdown script', () => {
  it('starts a new scene at each line holding only ---', () => {
    expect(spoken('One.\n\n---\n\nTwo.\n---\nThree.')).toEqual(['One.', 'Two.', 'Three.'])
  })

  it('splits even when --- stands right under a line of text', () => {
    expect(spoken('First scene\n---\nSecond scene')).toEqual(['First scene', 'Second scene'])
  })

  it('accepts spaces around ---', () => {
    expect(spoken('One\n  ---  \nTwo')).toEqual(['One', 'Two'])
  })

  it('does not split inside a code fence or an HTML comment', () => {
    expect(spoken('One\n```\n---\n```\nstill one\n<!--\n---\n-->\nand one')).toEqual([
      'One. still one and one'
    ])
  })

  it('does not count the front matter as a scene', () => {
    expect(spoken('---\ntitle: T\n---\nOnly scene\n---\nSecond')).toEqual(['Only scene', 'Second'])
  })

  it('gives every scene the same character and voice', () => {
    const outcome = parseScript(
      'v.md',
      '---\navatar: a2\nvoice: v2\nspeed: 1.1\n---\nA\n---\nB',
      defaults
    )
    expect(outcome.ok && outcome.request.payload.video_inputs).toEqual([
      {
        character: { type: 'avatar', avatar_id: 'a2' },
        voice: { type: 'text', input_text: 'A', voice_id: 'v2', speed: 1.1 }
      },
      {
        character: { type: 'avatar', avatar_id: 'a2' },
        voice: { type: 'text', input_text: 'B', voice_id: 'v2', speed: 1.1 }
      }
    ])
  })

  it('points at the line of a scene with nothing left to speak', () => {
    expect(problems('One\n---\n![only an image](x.png)\n---\n\n---\nFour\n---\n')).toEqual([
      { line: 3, column: 1, key: 'scenes.2', message: 'scene 2 has nothing to speak' },
      { line: 4, column: 1, key: 'scenes.3', message: 'scene 3 has nothing to speak' },
      { line: 8, column: 1, key: 'scenes.5', message: 'scene 5 has nothing to speak' }
    ])
  })

  it('reports a script with no words at all', () => {
    expect(problems('---\ntitle: T\n---\n<!-- nothing -->\n')).toEqual([
      { line: 4, column: 1, key: undefined, message: 'the script has nothing to speak' }
    ])
  })

  it('refuses a scene over 5000 characters, at its line', () => {
    const long = 'a'.repeat(5001)
    expect(problems(`Short.\n---\n\n${long}`)).toEqual([
      {
        line: 4,
        column: 1,
        key: 'scenes.2',
        message: 'scene 2 must be at most 5000 characters (got 5001 characters)'
      }
    ])
    expect(spoken(`# Title\n\n${'a'.repeat(4993)}`)[0]).toHaveLength(5000)
  })

  it('counts what is spoken against the limit, not the markup', () => {
    expect(spoken(`**${'a'.repeat(5000)}**`)[0]).toHaveLength(5000)
  })
})

describe('front matter', () => {
  it('points at keys with their line in the file', () => {
    expect(problems('---\ntitle: T\nspeed: 3\nstyel: circle\n---\nHello')).toEqual([
      { line: 3, column: 8, key: 'speed', message: 'speed must be between 0.5 and 1.5 (got 3)' },
      { line: 4, column: 1, key: 'styel', message: 'unknown key styel; did you mean style?' }
    ])
  })

  it('keeps positions with CRLF line ends and a BOM', () => {
    expect(problems('\uFEFF---\r\ntitle: T\r\npitch: 1.5\r\n---\r\nHello')).toEqual([
      {
        line: 3,
        column: 8,
        key: 'pitch',
        message: 'pitch must be an integer between -50 and 50 (got 1.5)'
      }
    ])
  })

  it('explains that scenes belong to YAML scripts', () => {
    expect(problems('---\nscenes: []\n---\nHello')).toEqual([
      {
        line: 2,
        column: 1,
        key: 'scenes',
        message:
          'unknown key scenes (in Markdown a line holding only --- starts a new scene; scenes: is for YAML and JSON scripts)'
      }
    ])
  })

  it('reports YAML syntax errors at their place', () => {
    expect(problems('---\ntitle: [unclosed\n---\nHello')).toEqual([
      {
        line: 2,
        column: 17,
        key: undefined,
        message:
          'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'
      }
    ])
  })

  it('must be a mapping', () => {
    expect(problems('---\n- a\n---\nHello')).toEqual([
      { line: 2, column: 1, key: undefined, message: 'the front matter must be a mapping of keys' }
    ])
  })

  it('must be closed', () => {
    expect(problems('---\ntitle: T\nHello')).toEqual([
      {
        line: 1,
        column: 1,
        key: undefined,
        message: 'the front matter is never closed by a --- line'
      }
    ])
  })

  it('may be empty', () => {
    expect(spoken('---\n---\nHello')).toEqual(['Hello'])
  })

  it('takes the title from the front matter, else the path', () => {
    const titled = parseScript('videos/a.md', '---\ntitle: Launch\n---\nHi', defaults)
    const untitled = parseScript('videos/a.md', 'Hi', defaults)
    expect(titled.ok && [titled.request.title, titled.request.payload.title]).toEqual([
      'Launch',
      'Launch'
    ])
    expect(untitled.ok && [untitled.request.title, untitled.request.payload.title]).toEqual([
      'videos/a.md',
      'videos/a.md'
    ])
  })
})
