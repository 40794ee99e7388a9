// Every link between the project's pages works on GitHub: each relative link names a file or
// folder of the repository, and each `#anchor` a heading of the page it points to.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { marked, type Token, type Tokens } from 'marked'
import { ROOT } from '../stand-ins/runner.js'

const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  'SECURITY.md',
  'CHANGELOG.md',
  'examples/README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md'))
    .map(f => `docs/${f}`)
]

const read = (page: string) => readFileSync(path.join(ROOT, page), 'utf8')

/** The text a heading shows, without its Markdown. */
function plain(tokens: Token[]): string {
  return tokens
    .map(t => ('tokens' in t && t.tokens ? plain(t.tokens) : 'text' in t ? String(t.text) : ''))
    .join('')
}

/**
 * The anchors GitHub gives a page's headings: lower case, every character but letters, digits,
 * `_`, `-` and spaces dropped, spaces made `-`, and `-1`, `-2` … added to repeats (github-slugger).
 */
function anchors(markdown: string): string[] {
  const seen = new Map<string, number>()
  const slugs: string[] = []
  for (const token of marked.lexer(markdown)) {
    if (token.type !== 'heading') continue
    const base = plain((token as Tokens.Heading).tokens)
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    slugs.push(count ? `${base}-${count}` : base)
  }
  return slugs
}

/** Every link and image of a page that stays inside the repository. */
function relativeLinks(page: string): string[] {
  const hrefs: string[] = []
  marked.walkTokens(marked.lexer(read(page)), token => {
    if (token.type === 'link' || token.type === 'image') hrefs.push(token.href)
  })
  return hrefs.filter(href => !/^[a-z][a-z0-9+.-]*:/i.test(href))
}

describe('the links of the documentation', () => {
  it('finds the pages and their links', () => {
    expect(PAGES).toEqual(expect.arrayContaining(['docs/trust.md', 'docs/development.md']))
    expect(relativeLinks('README.md')).toContain('docs/comment.png')
  })

  it.each(PAGES)('%s links only to files and headings that exist', page => {
    const broken = relativeLinks(page).filter(href => {
      const [target, anchor] = href.split('#') as [string, string | undefined]
      const file = target ? path.posix.join(path.posix.dirname(page), target) : page
      if (!existsSync(path.join(ROOT, file))) return true
      return anchor !== undefined && !(file.endsWith('.md') && anchors(read(file)).includes(anchor))
    })
    expect(broken).toEqual([])
  })

  it('gives headings the anchors GitHub gives them', () => {
    const headings = [
      '## Pull requests from forks, with approval (`pull_request_target`)',
      "### What's **new**?",
      '# Café & más',
      '## Repeat',
      '## Repeat'
    ]
    expect(anchors(headings.join('\n\n'))).toEqual([
      'pull-requests-from-forks-with-approval-pull_request_target',
      'whats-new',
      'café--más',
      'repeat',
      'repeat-1'
    ])
  })
})
