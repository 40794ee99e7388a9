// Every trigger a workflow uses, from real webhook payloads: the action generates exactly the
// scripts the event touched, and spends the key only for the people allowed to.
import { execFileSync } from 'node:child_process'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  issueCommentEvent,
  mergeGroupEvent,
  pullRequestEvent,
  pushEvent,
  scheduleEvent,
  webhookExample,
  workflowDispatchEvent,
  workflowRunEvent
} from '../../stand-ins/events.js'
import { createScene, results, type Scene, type Run } from './harness.js'

type FileSeed = { filename: string; status: string } & Record<string, unknown>
const PR = 42
const HEAD = 'a'.repeat(40)
const BASE = 'b'.repeat(40)
const ZERO = '0'.repeat(40)

let scene: Scene
afterEach(async () => scene?.close())

/** Script files with distinct words, so each is its own video. */
function scripts(...paths: string[]): Record<string, string> {
  return Object.fromEntries(paths.map(p => [p, `These are the words of ${p}.\n`]))
}

/** The scripts the request queue was asked to generate: titles default to the path. */
function submitted(): string[] {
  return scene.sim.requests.map(r => (r.payload as { title: string }).title).sort()
}

function pullRequest(
  files: FileSeed[],
  scenario: Parameters<typeof pullRequestEvent>[0] = {},
  name = 'pull_request'
) {
  const head = scenario.headSha ?? HEAD
  const base = scenario.baseSha ?? BASE
  scene.github.addPullRequest(PR, {
    files,
    head: { sha: head },
    base: { sha: base },
    fork: scenario.fork,
    author_association: scenario.authorAssociation
  })
  const payload = pullRequestEvent({
    number: PR,
    headSha: head,
    baseSha: base,
    authorAssociation: 'MEMBER',
    changedFiles: files.length,
    ...scenario
  })
  return { name, payload }
}

function warnings(run: Run): string[] {
  return run.annotations.filter(a => a.level === 'warning').map(a => a.message)
}

function notices(run: Run): string[] {
  return run.annotations.filter(a => a.level === 'notice').map(a => a.message)
}

/** The comment as a reader sees it: entities decoded, invisible joiners dropped. */
function readable(body: string): string {
  return body
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/\u200d/g, '')
}

function requestsTo(pattern: RegExp) {
  return scene.github.requests.filter(r => pattern.test(r.path))
}

describe('pull_request', () => {
  it('finds the three scripts among 250 changed files listed over three pages', async () => {
    scene = await createScene({
      files: scripts('videos/a.md', 'videos/b.md', 'videos/nested/c.md', 'videos/untouched.md')
    })
    const docs = Array.from({ length: 247 }, (_, i) => ({
      filename: `docs/page-${String(i).padStart(3, '0')}.md`,
      status: 'modified'
    }))
    const event = pullRequest([
      { filename: 'videos/a.md', status: 'added' },
      ...docs.slice(0, 120),
      { filename: 'videos/b.md', status: 'modified' },
      ...docs.slice(120),
      { filename: 'videos/nested/c.md', status: 'added' }
    ])

    const run = await scene.run({ event })

    expect(run.code).toBe(0)
    expect(requestsTo(/\/pulls\/42\/files$/).map(r => r.query.page)).toEqual([undefined, '2', '3'])
    expect(submitted()).toEqual(['videos/a.md', 'videos/b.md', 'videos/nested/c.md'])
    expect(scene.github.violations).toEqual([])
  })

  it('generates an edited rename under its new path, skips a pure rename, reports a removal', async () => {
    scene = await createScene({ files: scripts('videos/renamed.md', 'videos/moved.md') })
    const event = pullRequest([
      {
        filename: 'videos/renamed.md',
        previous_filename: 'videos/original.md',
        status: 'renamed',
        additions: 1,
        deletions: 1
      },
      {
        filename: 'videos/moved.md',
        previous_filename: 'videos/old-place.md',
        status: 'renamed',
        additions: 0,
        deletions: 0
      },
      { filename: 'videos/gone.md', status: 'removed' }
    ])

    const run = await scene.run({ event })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/renamed.md'])
    expect(run.stdout).toContain(
      'videos/old-place.md was renamed to videos/moved.md without changes: not regenerated'
    )
    const [comment] = scene.github.comments(PR)
    expect(comment!.body).toMatch(/Removed, not generated: ` videos\/gone\.md `/)
    expect(comment!.body).not.toContain('videos/moved.md')
    expect(scene.github.violations).toEqual([])
  })

  it('checks a fork pull request without the key as a dry run, and stays green', async () => {
    scene = await createScene({
      files: scripts('videos/intro.md'),
      github: { readOnly: true }
    })
    const event = pullRequest([{ filename: 'videos/intro.md', status: 'added' }], {
      fork: true,
      authorAssociation: 'CONTRIBUTOR'
    })

    // GitHub hands a fork's pull_request run no secrets and a read-only token.
    const run = await scene.run({ event, inputs: { 'api-key': '' } })

    expect(run.code).toBe(0)
    expect(scene.sim.calls).toHaveLength(0)
    expect(results(run)).toMatchObject([{ file: 'videos/intro.md', status: 'skipped' }])
    expect(notices(run).join('\n')).toContain('Pull requests from forks get no secrets')
    expect(run.summary).toContain('Pull requests from forks get no secrets')
    expect(run.summary).toContain('videos/intro.md')
    expect(scene.github.violations).toEqual([])
  })

  it('says once that a read-only token cannot comment, keeps the results in the summary, and fails on the unsaved request', async () => {
    scene = await createScene({
      files: scripts('videos/intro.md'),
      github: { readOnly: true }
    })
    const event = pullRequest([{ filename: 'videos/intro.md', status: 'added' }])

    const run = await scene.run({ event })

    // The comment is where the next run learns what this one paid for: losing that is loud.
    expect(run.code).toBe(1)
    const id = scene.sim.requests[0]!.request_id
    const failures = run.annotations.filter(a => a.level === 'error').map(a => a.message)
    expect(failures).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The pull request comment could not be written \\(.*\`pull-requests: write\`.*\\), so the requests this run paid for are not saved for the next run to reuse or resume: ${id} \\(videos/intro.md\\)\\.`
        )
      )
    ])
    expect(submitted()).toEqual(['videos/intro.md'])
    expect(scene.github.comments(PR)).toHaveLength(0)
    const permission = warnings(run).filter(w => w.includes('`pull-requests: write`'))
    expect(permission).toHaveLength(1)
    expect(run.summary).toContain('videos/intro.md')
    expect(results(run)[0]).toMatchObject({ status: 'success' })
    expect(run.outputs['comment-url']).toBe('')
    expect(scene.github.violations).toEqual([])
  })

  it('waits out a secondary rate limit on the file list and carries on', async () => {
    scene = await createScene({ files: scripts('videos/intro.md') })
    const event = pullRequest([{ filename: 'videos/intro.md', status: 'added' }])
    scene.github.inject({
      path: /\/pulls\/42\/files$/,
      status: 403,
      headers: { 'retry-after': '1' }
    })

    const run = await scene.run({ event })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/intro.md'])
    expect(requestsTo(/\/pulls\/42\/files$/).map(r => r.status)).toEqual([403, 200])
    expect(warnings(run)).toEqual([
      expect.stringMatching(
        /^GitHub secondary rate limit on GET .*\/pulls\/42\/files.*: retrying in 1 s$/
      )
    ])
    expect(scene.github.violations).toEqual([])
  })

  it('names the permission to grant when GitHub refuses to list the files', async () => {
    scene = await createScene({ files: scripts('videos/intro.md') })
    const event = pullRequest([{ filename: 'videos/intro.md', status: 'added' }])
    scene.github.inject({ path: /\/pulls\/42\/files$/, status: 404 })

    const run = await scene.run({ event })

    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /::error::Listing the files of pull request #42: HTTP 404 .*`pull-requests: read`/
    )
    expect(scene.sim.calls).toHaveLength(0)
    expect(scene.github.violations).toEqual([])
  })
})

describe('pull requests over GitHub’s 3000-file listing', () => {
  /** 2999 data files and two scripts: GitHub lists the first 3000, so `late.md` is cut off. */
  const FILES = [
    ...Array.from({ length: 2999 }, (_, i) => `data/row-${String(i).padStart(4, '0')}.csv`),
    'videos/early.md',
    'videos/late.md'
  ]

  it('completes the list from the local git history when the checkout has it', async () => {
    scene = await createScene({ files: { 'README.md': '# repo\n' } })
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: scene.workspace, encoding: 'utf8', env: GIT_ENV }).trim()
    git('init', '--quiet', '--initial-branch=master')
    git('add', '.')
    git('commit', '--quiet', '-m', 'base')
    const base = git('rev-parse', 'HEAD')
    await scene.write({
      ...Object.fromEntries(FILES.map(f => [f, 'x\n'])),
      ...scripts('videos/early.md', 'videos/late.md')
    })
    git('add', '.')
    git('commit', '--quiet', '-m', 'head')
    const head = git('rev-parse', 'HEAD')
    const event = pullRequest(
      FILES.map(filename => ({ filename, status: 'added' })),
      { headSha: head, baseSha: base }
    )

    const run = await scene.run({ event })

    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      `GitHub lists only 3000 of the 3001 files pull request #42 changed: comparing ${base.slice(0, 7)}...${head.slice(0, 7)} in the local git history instead`
    )
    expect(submitted()).toEqual(['videos/early.md', 'videos/late.md'])
    expect(scene.github.violations).toEqual([])
  })

  it('warns that scripts may be missed when the checkout is shallow', async () => {
    scene = await createScene({
      files: {
        ...Object.fromEntries(FILES.map(f => [f, 'x\n'])),
        ...scripts('videos/early.md', 'videos/late.md')
      }
    })
    const event = pullRequest(FILES.map(filename => ({ filename, status: 'added' })))

    const run = await scene.run({ event })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/early.md'])
    expect(warnings(run).join('\n')).toMatch(
      /GitHub lists only 3000 of the 3001 files .* Check out with `fetch-depth: 0`/
    )
    expect(scene.github.violations).toEqual([])
  })
})

describe('pull_request_target', () => {
  const outsider = { fork: true, authorAssociation: 'FIRST_TIME_CONTRIBUTOR', action: 'opened' }

  it('checks an outside author’s scripts without spending, and says how to approve', async () => {
    scene = await createScene({ files: scripts('videos/intro.md') })
    const event = pullRequest(
      [{ filename: 'videos/intro.md', status: 'added' }],
      outsider,
      'pull_request_target'
    )

    const run = await scene.run({ event })

    expect(run.code).toBe(0)
    expect(scene.sim.calls).toHaveLength(0)
    expect(results(run)).toMatchObject([{ file: 'videos/intro.md', status: 'skipped' }])
    const body = readable(scene.github.comments(PR)[0]!.body as string)
    expect(body).toContain('Dry run')
    expect(body).toContain(
      "The pull request author's association with the repository (FIRST_TIME_CONTRIBUTOR) is not in allowed-associations"
    )
    expect(body).toContain('A maintainer can approve it by adding the label')
    expect(scene.github.violations).toEqual([])
  })

  it('generates once a maintainer labels the pull request and the workflow widens the list', async () => {
    scene = await createScene({ files: scripts('videos/intro.md') })
    const event = pullRequest(
      [{ filename: 'videos/intro.md', status: 'added' }],
      { ...outsider, action: 'labeled' },
      'pull_request_target'
    )

    // What the README's workflow passes on a `labeled` event with the approval label.
    const run = await scene.run({
      event,
      inputs: { 'allowed-associations': 'OWNER,MEMBER,COLLABORATOR,FIRST_TIME_CONTRIBUTOR' }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/intro.md'])
    expect(scene.github.violations).toEqual([])
  })
})

describe('push', () => {
  it('generates the scripts changed between before and after', async () => {
    scene = await createScene({ files: scripts('videos/changed.md', 'videos/same.md') })
    scene.github.setCompare(BASE, HEAD, {
      files: [
        { filename: 'videos/changed.md', status: 'modified' },
        { filename: 'src/app.ts', status: 'modified' }
      ]
    })

    const run = await scene.run({
      event: { name: 'push', payload: pushEvent({ before: BASE, after: HEAD }) }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/changed.md'])
    expect(requestsTo(/\/compare\//).map(r => r.path)).toEqual([
      `/repos/Codertocat/Hello-World/compare/${BASE}...${HEAD}`
    ])
    expect(scene.github.violations).toEqual([])
  })

  it('compares the first push of a branch with the default branch', async () => {
    scene = await createScene({ files: scripts('videos/feature.md', 'videos/on-master.md') })
    scene.github.setCompare('master', HEAD, {
      files: [{ filename: 'videos/feature.md', status: 'added' }]
    })

    const run = await scene.run({
      event: {
        name: 'push',
        payload: pushEvent({ before: ZERO, after: HEAD, ref: 'refs/heads/feature' })
      }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/feature.md'])
    expect(scene.github.violations).toEqual([])
  })

  it('generates every script on the first push of the default branch', async () => {
    scene = await createScene({ files: scripts('videos/a.md', 'videos/b/c.md', 'notes.md') })

    const run = await scene.run({
      event: { name: 'push', payload: pushEvent({ before: ZERO, after: HEAD }) }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/a.md', 'videos/b/c.md'])
    expect(requestsTo(/\/compare\//)).toEqual([])
  })

  it('compares from the merge base after a force push', async () => {
    const mergeBase = 'c'.repeat(40)
    scene = await createScene({ files: scripts('videos/rewritten.md', 'videos/old.md') })
    scene.github.setCompare(BASE, HEAD, {
      mergeBase,
      files: [{ filename: 'videos/rewritten.md', status: 'modified' }]
    })

    const run = await scene.run({
      event: { name: 'push', payload: pushEvent({ before: BASE, after: HEAD, forced: true }) }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/rewritten.md'])
    expect(run.stdout).toContain(
      'bbbbbbb is not an ancestor of aaaaaaa (a force push): comparing from their merge base ccccccc'
    )
    expect(scene.github.violations).toEqual([])
  })

  it('does nothing when the push deleted the branch', async () => {
    scene = await createScene({ files: scripts('videos/a.md') })

    const run = await scene.run({
      event: {
        name: 'push',
        payload: pushEvent({ before: HEAD, after: ZERO, ref: 'refs/heads/feature' })
      }
    })

    expect(run.code).toBe(0)
    expect(scene.sim.calls).toHaveLength(0)
    expect(results(run)).toEqual([])
    expect(requestsTo(/\/compare\//)).toEqual([])
    expect(scene.github.violations).toEqual([])
  })
})

describe('merge_group', () => {
  it('generates the scripts the queued merge changes', async () => {
    scene = await createScene({ files: scripts('videos/queued.md', 'videos/other.md') })
    scene.github.setCompare(BASE, HEAD, {
      files: [{ filename: 'videos/queued.md', status: 'added' }]
    })

    const run = await scene.run({
      event: { name: 'merge_group', payload: mergeGroupEvent({ baseSha: BASE, headSha: HEAD }) }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/queued.md'])
    expect(scene.github.violations).toEqual([])
  })
})

describe('workflow_dispatch and schedule', () => {
  const FILES = scripts('videos/en/a.md', 'videos/en/b.md', 'videos/fr/a.md', 'videos/drafts/x.md')

  it('generates every script on a manual run', async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({
      event: { name: 'workflow_dispatch', payload: workflowDispatchEvent() },
      inputs: { scripts: 'videos/**/*.md\n!videos/drafts/**' }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/en/a.md', 'videos/en/b.md', 'videos/fr/a.md'])
    expect(scene.github.requests).toEqual([])
  })

  it('narrows a manual run to the globs given in its scripts input', async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({
      event: {
        name: 'workflow_dispatch',
        payload: workflowDispatchEvent({ scripts: 'videos/en/**\nvideos/de/**' })
      },
      inputs: { scripts: 'videos/**/*.md\n!videos/drafts/**' }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/en/a.md', 'videos/en/b.md'])
    expect(warnings(run)).toEqual([
      'No script matches "videos/de/**" of the workflow_dispatch input "scripts"'
    ])
  })

  it('generates every script on a schedule, warning about a pattern that matches nothing', async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({
      event: { name: 'schedule', payload: scheduleEvent() },
      inputs: { scripts: 'videos/**/*.md\n!videos/drafts/**\nclips/**/*.yml' }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/en/a.md', 'videos/en/b.md', 'videos/fr/a.md'])
    expect(warnings(run)).toEqual([
      'No file in the workspace matches the scripts pattern "clips/**/*.yml"'
    ])
  })
})

describe('events an outsider can cause', () => {
  const FILES = scripts('videos/a.md', 'videos/b.md')

  /** A dry run: nothing reached the queue, every script checked, the notice in log and summary. */
  function expectDryRun(run: Run, notice: RegExp) {
    expect(run.code).toBe(0)
    expect(scene.sim.calls).toHaveLength(0)
    expect(results(run)).toMatchObject([
      { file: 'videos/a.md', status: 'skipped' },
      { file: 'videos/b.md', status: 'skipped' }
    ])
    expect(notices(run).join('\n')).toMatch(notice)
    expect(readable(run.summary)).toMatch(notice)
  }

  it("checks every script without spending on an outsider's comment, and says how to approve", async () => {
    scene = await createScene({ files: FILES })
    const payload = issueCommentEvent({ authorAssociation: 'NONE' })

    const run = await scene.run({ event: { name: 'issue_comment', payload } })

    expectDryRun(
      run,
      /The commenter's association with the repository \(NONE\) is not in allowed-associations \(OWNER, MEMBER, COLLABORATOR\), so the scripts were checked and no videos were generated\. A maintainer can approve it by causing the event themselves \(for example, with a comment of their own\), or by running the workflow manually\./
    )
  })

  it('checks without spending under mode: all too', async () => {
    scene = await createScene({ files: FILES })
    const payload = issueCommentEvent({ authorAssociation: 'NONE' })

    const run = await scene.run({
      event: { name: 'issue_comment', payload },
      inputs: { mode: 'all' }
    })

    expectDryRun(run, /The commenter's association with the repository \(NONE\)/)
  })

  it("generates on a member's comment", async () => {
    scene = await createScene({ files: FILES })
    const payload = issueCommentEvent({ authorAssociation: 'MEMBER' })

    const run = await scene.run({ event: { name: 'issue_comment', payload } })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/a.md', 'videos/b.md'])
    expect(notices(run)).toEqual([])
  })

  it("checks without spending on a workflow_run after a fork's pull request", async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({
      event: { name: 'workflow_run', payload: workflowRunEvent({ fork: true }) }
    })

    expectDryRun(
      run,
      /This workflow_run follows a run for another repository's commit \(a fork's pull request\).*A maintainer can approve it by running the workflow manually \(workflow_dispatch\)/
    )
  })

  it('generates on a workflow_run after a push to this repository', async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({
      event: { name: 'workflow_run', payload: workflowRunEvent({ event: 'push' }) }
    })

    expect(run.code).toBe(0)
    expect(submitted()).toEqual(['videos/a.md', 'videos/b.md'])
  })

  it('checks without spending on an event it does not know', async () => {
    scene = await createScene({ files: FILES })

    // Anyone can star a repository.
    const run = await scene.run({
      event: { name: 'watch', payload: webhookExample('watch', 'started') }
    })

    expectDryRun(
      run,
      /The action does not know who can cause a watch event; it counts as NONE, which is not in allowed-associations/
    )
  })
})

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Codertocat',
  GIT_AUTHOR_EMAIL: 'codertocat@example.com',
  GIT_COMMITTER_NAME: 'Codertocat',
  GIT_COMMITTER_EMAIL: 'codertocat@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1'
}
