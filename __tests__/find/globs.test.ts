// The `scripts` globs read like the `paths` filters users already write in workflows: every
// example of GitHub's "filter pattern cheat sheet" selects here what it selects there.
import { describe, expect, it } from '@jest/globals'
import { globSet } from '../../src/find/globs.js'

/** The cheat sheet's path examples: pattern(s), paths it names as matches, and paths it must not. */
const CHEAT_SHEET: Array<[string[], string[], string[]]> = [
  [['*'], ['README.md', 'server.rb'], ['docs/README.md']],
  [['*.jsx?'], ['page.js', 'page.jsx'], ['page.jsxx', 'src/page.js']],
  [['**'], ['all/the/files.md'], []],
  [['*.js'], ['app.js', 'index.js'], ['js/index.js']],
  [['**.js'], ['index.js', 'js/index.js', 'src/js/app.js'], ['index.jsx']],
  [['docs/*'], ['docs/README.md', 'docs/file.txt'], ['docs/mona/octocat.txt']],
  [['docs/**'], ['docs/README.md', 'docs/mona/octocat.txt'], ['README.md']],
  [
    ['docs/**/*.md'],
    ['docs/README.md', 'docs/mona/hello-world.md', 'docs/a/markdown/file.md'],
    ['docs/file.txt']
  ],
  [['**/docs/**'], ['docs/hello.md', 'dir/docs/my-file.txt', 'space/docs/plan/space.doc'], []],
  [['**/README.md'], ['README.md', 'js/README.md'], ['README.mdx']],
  [['**/*src/**'], ['a/src/app.js', 'my-src/code/js/app.js'], ['src.js']],
  [['**/*-post.md'], ['my-post.md', 'path/their-post.md'], ['post.md']],
  [
    ['**/migrate-*.sql'],
    ['migrate-10909.sql', 'db/migrate-v1.0.sql', 'db/sept/migrate-v1.sql'],
    ['migrate.sql']
  ],
  [['*.md', '!README.md'], ['hello.md'], ['README.md', 'docs/hello.md']],
  [['*.md', '!README.md', 'README*'], ['hello.md', 'README.md', 'README.doc'], []]
]

describe('GitHub path-filter patterns', () => {
  it.each(CHEAT_SHEET)('%j selects what the cheat sheet says', (patterns, matches, misses) => {
    const globs = globSet(patterns)

    expect(matches.filter(path => !globs.matches(path))).toEqual([])
    expect(misses.filter(path => globs.matches(path))).toEqual([])
  })

  it('matches one character of a bracket range, and repeats the preceding one with +', () => {
    const globs = globSet(['videos/[CB]at-[1-2]00.md', 'videos/zo+m.md'])

    expect(
      ['videos/Cat-100.md', 'videos/Bat-200.md', 'videos/zooom.md'].map(globs.matches)
    ).toEqual([true, true, true])
    expect(['videos/Rat-100.md', 'videos/Cat-300.md', 'videos/zm.md'].map(globs.matches)).toEqual([
      false,
      false,
      false
    ])
  })

  it('takes a backslash-escaped wildcard literally', () => {
    const globs = globSet(['videos/what\\?.md'])

    expect(globs.matches('videos/what?.md')).toBe(true)
    expect(globs.matches('videos/what.md')).toBe(false)
  })

  it('treats dots, parentheses and other regex characters in names as plain text', () => {
    const globs = globSet(['videos/(draft) v1.0/*.md'])

    expect(globs.matches('videos/(draft) v1.0/intro.md')).toBe(true)
    expect(globs.matches('videos/(draft) v1x0/intro.md')).toBe(false)
  })

  it('names the positive patterns that match nothing, never the exclusions', () => {
    const globs = globSet(['videos/**/*.md', 'video/**/*.yml', '!videos/drafts/**'])

    expect(globs.unused(['videos/intro.md', 'README.md'])).toEqual(['video/**/*.yml'])
  })
})
