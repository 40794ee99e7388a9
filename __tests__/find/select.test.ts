// Which changed files become videos: the selection rules, the local git parser and the
// workspace walk, without any server.
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { earlierPathsOf, resolveMode, selectChanged } from '../../src/find/index.js'
import { parseNameStatus } from '../../src/find/git.js'
import { globSet } from '../../src/find/globs.js'
import { listWorkspace } from '../../src/find/workspace.js'

const globs = globSet(['videos/**/*.md', '!videos/drafts/**'])

function select(changed: Parameters<typeof selectChanged>[0]) {
  const log: string[] = []
  return { ...selectChanged(changed, globs, m => log.push(m)), log }
}

describe('where a changed script was before the change', () => {
  it("is its own path, a rename's earlier path, or nowhere for an added or copied file", () => {
    const earlier = earlierPathsOf(
      [
        { path: 'videos/added.md', status: 'added' },
        { path: 'videos/modified.md', status: 'modified' },
        { path: 'videos/copied.md', status: 'copied', previousPath: 'videos/modified.md' },
        { path: 'videos/renamed.md', status: 'renamed', previousPath: 'videos/old.md' },
        { path: 'videos/renamed-unknown.md', status: 'renamed' }
      ],
      [
        'videos/added.md',
        'videos/copied.md',
        'videos/modified.md',
        'videos/renamed.md',
        'videos/renamed-unknown.md'
      ]
    )
    expect(Object.fromEntries(earlier)).toEqual({
      'videos/added.md': null,
      'videos/copied.md': null,
      'videos/modified.md': 'videos/modified.md',
      'videos/renamed.md': 'videos/old.md',
      'videos/renamed-unknown.md': null
    })
  })
})

describe('selecting changed scripts', () => {
  it('keeps added, modified, copied and type-changed scripts, and nothing else', () => {
    const picked = select([
      { path: 'videos/added.md', status: 'added' },
      { path: 'videos/modified.md', status: 'modified' },
      { path: 'videos/copied.md', status: 'copied', previousPath: 'videos/added.md' },
      { path: 'videos/changed.md', status: 'changed' },
      { path: 'videos/unchanged.md', status: 'unchanged' },
      { path: 'videos/drafts/wip.md', status: 'added' },
      { path: 'src/app.ts', status: 'modified' }
    ])

    expect(picked.files).toEqual([
      'videos/added.md',
      'videos/changed.md',
      'videos/copied.md',
      'videos/modified.md'
    ])
    expect(picked.removed).toEqual([])
  })

  it('does not regenerate a script that was only renamed', () => {
    const picked = select([
      { path: 'videos/b.md', status: 'renamed', previousPath: 'videos/a.md', changes: 0 }
    ])

    expect(picked.files).toEqual([])
    expect(picked.log).toEqual([
      'videos/a.md was renamed to videos/b.md without changes: not regenerated'
    ])
  })

  it('generates a renamed script that was edited, or that only now matches the globs', () => {
    const picked = select([
      { path: 'videos/b.md', status: 'renamed', previousPath: 'videos/a.md', changes: 2 },
      {
        path: 'videos/ready.md',
        status: 'renamed',
        previousPath: 'videos/drafts/ready.md',
        changes: 0
      }
    ])

    expect(picked.files).toEqual(['videos/b.md', 'videos/ready.md'])
  })

  it('reports removed scripts, and scripts renamed out of the globs, as removed', () => {
    const picked = select([
      { path: 'videos/gone.md', status: 'removed' },
      { path: 'archive/old.md', status: 'renamed', previousPath: 'videos/old.md', changes: 0 },
      { path: 'notes/gone.md', status: 'removed' }
    ])

    expect(picked).toMatchObject({ files: [], removed: ['videos/gone.md', 'videos/old.md'] })
  })
})

describe('mode auto', () => {
  it('means every script on manual and scheduled runs, the changed ones elsewhere', () => {
    expect(
      ['workflow_dispatch', 'schedule', 'push', 'pull_request', 'merge_group'].map(name =>
        resolveMode('auto', name)
      )
    ).toEqual(['all', 'all', 'changed', 'changed', 'changed'])
    expect(resolveMode('changed', 'schedule')).toBe('changed')
  })
})

describe('git diff --name-status -z', () => {
  it('reads statuses, renames with their similarity, and paths with spaces', () => {
    const out = [
      'M',
      'videos/a b.md',
      'R100',
      'videos/x.md',
      'videos/y.md',
      'R087',
      'videos/p.md',
      'videos/q.md',
      'D',
      'videos/gone.md',
      'A',
      'videos/new.md',
      ''
    ].join('\0')

    expect(parseNameStatus(out)).toEqual([
      { path: 'videos/a b.md', status: 'modified' },
      { path: 'videos/y.md', status: 'renamed', previousPath: 'videos/x.md', changes: 0 },
      { path: 'videos/q.md', status: 'renamed', previousPath: 'videos/p.md', changes: undefined },
      { path: 'videos/gone.md', status: 'removed' },
      { path: 'videos/new.md', status: 'added' }
    ])
  })
})

describe('the workspace walk', () => {
  it('skips .git and node_modules, and lists a symbolic link without following it', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'walk-'))
    const outside = await mkdtemp(path.join(tmpdir(), 'outside-'))
    const files = [
      'videos/a.md',
      'videos/deep/b.md',
      '.git/HEAD',
      'node_modules/x/videos/c.md',
      'videos/node_modules/d.md'
    ]
    for (const file of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true })
      await writeFile(path.join(root, file), 'x')
    }
    await writeFile(path.join(outside, 'secret.md'), 'x')
    await symlink(outside, path.join(root, 'videos/linked'))
    await symlink(root, path.join(root, 'videos/deep/loop'))

    expect(await listWorkspace(root)).toEqual([
      'videos/a.md',
      'videos/deep/b.md',
      'videos/deep/loop',
      'videos/linked'
    ])
  })
})
