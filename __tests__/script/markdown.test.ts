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
    // A comment opening a line is an HTML block: it ends the paragraph, as the page shows.
    ['multi-line HTML comment dropped', 'Say\n<!-- not\nthis -->\nthis.', 'Say. this.'],
    ['HTML comment across lines within a paragraph', 'Say <!-- not\nthis --> this.', 'Say this.'],
    ['entities decoded', 'Fish &amp; chips &#8212; &quot;yum&quot;', 'Fish & chips — "yum"'],
    ['list bullets dropped', '- apples\n- pears\n* plums\n+ figs', 'apples. pears. plums. figs'],
    ['numbered list dropped', '1. First,\n2) second.', 'First, second.'],
    ['task list boxes dropped', '- [ ] todo\n- [x] done', 'todo. done'],
    ['blockquote marks dropped', '> Quoted\n> on two lines.', 'Quoted on two lines.'],
    ['a nested quote is a block of its own', '> Quoted\n> > deeper.', 'Quoted. deeper.'],
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

  it.each([
    [
      'named entities, every one HTML knows',
      'Fast &mdash; and cheap&hellip; &copy; &eacute;t&eacute; &frac12;&nbsp;off',
      'Fast — and cheap… © été ½ off'
    ],
    ['numeric entities, decimal and hex', '&#169; &#xE9;t&#XE9; &#x1F3AC;', '© été 🎬'],
    ['an unknown entity as written', 'Tom &notanentity; Jerry', 'Tom &notanentity; Jerry'],
    ['a <br> between words is a pause', 'Line one<br>line two', 'Line one line two'],
    ['every form of <br>', 'a<br/>b<BR />c</br>d', 'a b c d'],
    ['a <br> on a line of its own', 'One\n\n<br>\n\nTwo', 'One. Two'],
    ['a hard break with two spaces', 'One  \nTwo', 'One Two'],
    [
      'raw HTML tags dropped, their words kept',
      'A <span class="x">quiet</span> word',
      'A quiet word'
    ],
    ['a footnote reference dropped', 'Note[^1].\n\n[^1]: A footnote.', 'Note.'],
    [
      'footnote definitions of several paragraphs not spoken',
      'Note[^long] ends.\n\n[^long]: First.\n\n    Second.',
      'Note ends.'
    ],
    ['an undefined footnote stays text', 'Note[^x].', 'Note[^x].'],
    [
      'a bare web address spoken as written',
      'See www.example.com today',
      'See www.example.com today'
    ],
    [
      'items of a nested list one by one',
      '- Fruit\n  - apples\n  - pears\n- Bread',
      'Fruit. apples. pears. Bread'
    ],
    ['a list item of two paragraphs', '- One\n\n  still one\n- Two', 'One. still one. Two'],
    ['a list after a paragraph', 'Three things:\n- a\n- b', 'Three things: a. b'],
    ['strikethrough with one tilde', 'Not ~this~ that.', 'Not this that.'],
    ['link text inside emphasis', '**[Acme](https://acme.test)** rocks', 'Acme rocks'],
    ['a link title not spoken', '[Acme](https://acme.test "the home page")', 'Acme'],
    ['a full reference link', '[Acme][home] rocks\n\n[home]: https://acme.test', 'Acme rocks'],
    [
      'a heading of one word, then a list',
      '## Agenda\n\n1. Hello\n2. Goodbye',
      'Agenda. Hello. Goodbye'
    ]
  ])('%s', (_, markdown, expected) => {
    expect(spoken(markdown)).toEqual([expected])
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

  it('splits on old Mac line ends too, counting lines as the parser does', () => {
    expect(spoken('One\r---\rTwo.')).toEqual(['One', 'Two.'])
    expect(problems('One\r\r| a |\r|---|')).toEqual([
      { line: 3, column: 1, key: undefined, message: expect.stringMatching(/^a table/) }
    ])
  })

  it('accepts spaces around ---', () => {
    expect(spoken('One\n  ---  \nTwo')).toEqual(['One', 'Two'])
  })

  it('does not split inside an HTML comment, which can hold a scene set aside', () => {
    expect(spoken('One\n<!--\nOld scene\n---\n-->\nstill one')).toEqual(['One. still one'])
  })

  it('does not split inside a code block, which is refused whole', () => {
    expect(problems('One\n\n```\n---\n```\n\nstill one')).toEqual([
      { line: 3, column: 1, key: undefined, message: expect.stringMatching(/^a code block/) }
    ])
  })

  it('splits at --- indented under a list item or a paragraph', () => {
    expect(spoken('- One\n  ---\n- Two')).toEqual(['One', 'Two'])
    expect(spoken('One\n    ---\nTwo')).toEqual(['One', 'Two'])
  })

  it('closes a quote at ---, as it closes a scene', () => {
    expect(spoken('> One\n---\n> Two')).toEqual(['One', 'Two'])
  })

  it('finds link and footnote definitions in any scene', () => {
    expect(
      spoken('See [the docs][d].[^1]\n---\nBye.\n\n[d]: https://x.y\n[^1]: Not said.')
    ).toEqual(['See the docs.', 'Bye.'])
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

describe('what cannot be spoken', () => {
  const TABLE = 'a table cannot be spoken: say what it shows in sentences, or as a list'
  const CODE =
    'a code block cannot be spoken: say in words what the code does (a short `command` in backticks within a sentence is spoken as written)'
  const INDENTED =
    'text indented by 4 spaces or more is a code block, which cannot be spoken: remove the indentation'
  const HTML =
    'an HTML block cannot be spoken: write the words as Markdown text (an HTML comment is fine: it is not spoken)'

  it.each([
    ['a table', 'Prices:\n\n| Plan | Price |\n|---|---|\n| Team | $10 |', 3, 1, TABLE],
    ['a fenced code block', 'Run this:\n\n```sh\nnpm test\n```', 3, 1, CODE],
    ['a tilde fence', 'Run this:\n~~~\nnpm test\n~~~', 2, 1, CODE],
    ['an unclosed fence', 'Run this:\n```\nnpm test', 2, 1, CODE],
    ['indented code', 'Run this:\n\n    npm test', 3, 1, INDENTED],
    ['an HTML block', 'Hello.\n\n<div align="center">\nWelcome\n</div>', 3, 1, HTML],
    ['a table in a list', '- Prices:\n\n  | a |\n  |---|\n  | 1 |', 3, 3, TABLE],
    ['code in a quote', '> ```\n> x\n> ```', 1, 3, CODE],
    [
      'text after an HTML comment that opens a line',
      '<!-- note --> Hello there.',
      1,
      1,
      'text after an HTML comment on the same line is read as HTML, and cannot be spoken: put the comment on a line of its own'
    ]
  ])(
    'refuses %s at its line, saying what to write instead',
    (_, markdown, line, column, message) => {
      expect(problems(markdown)).toEqual([{ line, column, key: undefined, message }])
    }
  )

  it('names the scene and keeps counting lines with CRLF and a BOM', () => {
    const script = '\uFEFF---\r\ntitle: T\r\n---\r\nOne.\r\n---\r\nTwo:\r\n\r\n| a |\r\n|---|\r\n'
    expect(problems(script)).toEqual([{ line: 8, column: 1, key: 'scenes.2', message: TABLE }])
  })

  it('reports every unspeakable block, and no empty scene beside them', () => {
    expect(problems('| a |\n|---|\n\n```\nx\n```\n---\nFine.')).toEqual([
      { line: 1, column: 1, key: 'scenes.1', message: TABLE },
      { line: 4, column: 1, key: 'scenes.1', message: CODE }
    ])
  })

  it('lets an HTML block of comments and line breaks pass, unspoken', () => {
    expect(spoken('One\n\n<!-- a note -->\n<br>\n\nTwo')).toEqual(['One. Two'])
  })
})

describe('Markdown too large or too deep to read', () => {
  it('refuses a scene of more Markdown than any scene needs, before parsing it', () => {
    const started = Date.now()
    for (const unit of ['*a ', 'a*', '`a ``b ', '[a](', '](', '<a ', '[^a]: b\n', '> ']) {
      const body = unit.repeat(Math.ceil(30_000 / unit.length))
      expect(problems(`Hi.\n---\n${body}\n---\nBye.`)).toEqual([
        {
          line: 3,
          column: 1,
          key: undefined,
          message: `lines 3–${2 + body.split('\n').length} hold ${body.length + 1} characters of Markdown with no --- line between them; a scene speaks at most 5000 characters and holds at most 25000: start new scenes with --- lines`
        }
      ])
    }
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('reads a scene of up to 25000 characters of Markdown', () => {
    const scene = `${'Hello there. '.repeat(300)}\n\n${'<!-- note -->\n'.repeat(1400)}`
    expect(scene.length).toBeLessThan(25_000)
    expect(spoken(`${scene}---\n${scene}`)).toHaveLength(2)
  })

  it('refuses lists and quotes nested too deeply', () => {
    expect(problems(`Hi.\n${'> '.repeat(40)}deep`)).toEqual([
      {
        line: 2,
        column: 1,
        key: undefined,
        message:
          'the Markdown is nested too deeply to be read: keep quotes and lists within 32 levels'
      }
    ])
    expect(problems(`Hi.\n${'1. - '.repeat(20)}deep`)).toHaveLength(1)
  })

  it('refuses links and images nested too deeply, and reads a linked image', () => {
    expect(problems(`Hi.\n${'[!['.repeat(5)}a${'](x)]'.repeat(5)}`)).toEqual([
      {
        line: 2,
        column: 1,
        key: undefined,
        message:
          'the Markdown is nested too deeply to be read: keep brackets, links and images within 8 levels in a paragraph'
      }
    ])
    expect(spoken('See [![logo](l.png) Acme](https://a.test) \\[[[[[[[[[ today')).toEqual([
      'See Acme [[[[[[[[[ today'
    ])
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
