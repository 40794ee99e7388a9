// Before and after, as a reviewer meets it: a changed script's row shows the video of its version
// at the pull request's base beside the new one, and a collapsed word diff of what it says. The
// earlier video is only ever found (the comment's state, the request list), never paid for.
import { afterEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { pullRequestEvent, pushEvent, workflowDispatchEvent } from '../../stand-ins/events.js'
import { createScene, results, script, type Scene } from './harness.js'

const PR = 7
const HEAD = 'a'.repeat(40)
const INTRO = 'videos/intro.md'
const BEFORE = script('Intro', 'Hello team, this is our new dashboard.')
const AFTER = script('Intro', 'Hello everyone, this is our dashboard for sales.')

let scene: Scene
afterEach(async () => scene?.close())

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Codertocat',
  GIT_AUTHOR_EMAIL: 'codertocat@example.com',
  GIT_COMMITTER_NAME: 'Codertocat',
  GIT_COMMITTER_EMAIL: 'codertocat@example.com'
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: scene.workspace, encoding: 'utf8', env: GIT_ENV }).trim()
}

/** Commits the workspace as it is: the pull request's base. Returns the commit. */
function commitBase(): string {
  git('init', '--quiet', '--initial-branch=main')
  git('add', '.')
  git('commit', '--quiet', '-m', 'base')
  return git('rev-parse', 'HEAD')
}

/** Pull request #7 onto `base`, changing `files` (a bare path was modified). */
function pullRequest(
  base: string,
  files: Array<string | { filename: string; status: string; previous_filename?: string }>
) {
  scene.github.addPullRequest(PR, {
    files: files.map(f => (typeof f === 'string' ? { filename: f, status: 'modified' } : f)),
    head: { sha: HEAD, ref: 'feature' },
    base: { sha: base, ref: 'main' }
  })
  const payload = pullRequestEvent({
    number: PR,
    action: 'synchronize',
    headSha: HEAD,
    baseSha: base,
    authorAssociation: 'MEMBER'
  })
  return { name: 'pull_request', payload }
}

function comment(): string {
  return scene.github.comments(PR)[0]?.body ?? ''
}

function submits(): number {
  return scene.sim.calls.filter(c => c.method === 'POST' && c.path.endsWith('/requests')).length
}

/** The table row of `file` in `body`. */
function rowOf(body: string, file: string): string {
  return body.split('\n').find(line => line.startsWith('|') && line.includes(file)) ?? ''
}

/** The word diff `<details>` block of the body, from its summary to its end. */
function wordDiffOf(body: string): string {
  return body.match(/<details><summary>🔁 Words changed[\s\S]*?<\/details>/)?.[0] ?? ''
}

describe('a changed script', () => {
  it('shows the video of its version at the base beside the new one, and a word diff, paying only for the new one', async () => {
    scene = await createScene({ files: { [INTRO]: BEFORE }, sim: { resignMedia: true } })
    const event = pullRequest(commitBase(), [INTRO])
    // A first run of the pull request made the base version's video, saved in the comment.
    const first = await scene.run({ event })
    expect(first.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    const earlier = results(first)[0]!
    // The links the first run got have expired by the time the script changes.
    scene.sim.expireMedia()
    await scene.write({ [INTRO]: AFTER })
    git('commit', '--quiet', '-am', 'head')

    const second = await scene.run({ event })

    expect(second.code).toBe(0)
    // Nothing is paid for the "before": one new request, for the new words only.
    expect(scene.sim.billable).toBe(2)
    expect(submits()).toBe(2)
    const now = results(second)[0]!
    expect(now).toMatchObject({ status: 'success' })
    expect(now.request_id).not.toBe(earlier.request_id)
    const body = comment()
    const row = rowOf(body, INTRO)
    // Both thumbnails, the earlier one linked to the earlier video, then the new one.
    expect(row.match(/<img /g)).toHaveLength(2)
    expect(row).toContain('before ➡️ after')
    const earlierLink = row.indexOf(`${(earlier.video_url as string).split('?')[0]}`)
    const newLink = row.indexOf(`${(now.video_url as string).split('?')[0]}`)
    expect(earlierLink).toBeGreaterThan(-1)
    expect(newLink).toBeGreaterThan(earlierLink)
    // Asked again for fresh links (a status call, never a submission).
    expect(row).not.toContain((earlier.video_url as string).replace(/&/g, '&amp;'))
    // The words removed and added, collapsed.
    const diff = wordDiffOf(body)
    expect(diff).toContain('3 removed, 4 added')
    expect(diff).toContain('<del>team&#44;</del> <ins>everyone&#44;</ins>')
    expect(diff).toContain('this is our <del>new dashboard&#46;')
    expect(diff).toContain('<ins>dashboard for sales&#46;')
    // The job summary carries the same, in its own rows.
    expect(rowOf(second.summary, INTRO)).toContain('before ➡️ after')
    expect(wordDiffOf(second.summary)).toContain('<del>team&#44;</del> <ins>everyone&#44;</ins>')
    expect(scene.github.violations).toEqual([])
  })

  it('keeps showing the earlier video on later runs, from the comment, when the queue no longer lists it', async () => {
    scene = await createScene({ files: { [INTRO]: BEFORE } })
    const event = pullRequest(commitBase(), [INTRO])
    const earlier = results(await scene.run({ event }))[0]!
    await scene.write({ [INTRO]: AFTER })
    expect(rowOf(comment(), INTRO)).not.toContain('before ➡️ after')
    const second = await scene.run({ event })
    expect(rowOf(comment(), INTRO)).toContain('before ➡️ after')
    // The queue drops the base version's request: it answers 404 and leaves the list.
    scene.sim.forget(earlier.request_id as string)
    await scene.write({
      [INTRO]: script('Intro', 'Hello everyone, this is our dashboard for finance.')
    })

    const third = await scene.run({ event })

    expect(third.code).toBe(0)
    expect(results(second)[0]!.request_id).not.toBe(results(third)[0]!.request_id)
    expect(scene.sim.billable).toBe(3)
    const row = rowOf(comment(), INTRO)
    expect(row).toContain('before ➡️ after')
    expect(row).toContain((earlier.thumbnail_url as string).split('?')[0])
    expect(wordDiffOf(comment())).toContain('<del>team&#44;</del> <ins>everyone&#44;</ins>')
  })

  it("finds the earlier video in the request queue's list when no comment saved it", async () => {
    scene = await createScene({ files: { [INTRO]: BEFORE } })
    const base = commitBase()
    // A manual run made the base version's video: no pull request comment knows it.
    const manual = await scene.run({
      event: { name: 'workflow_dispatch', payload: workflowDispatchEvent() }
    })
    expect(manual.code).toBe(0)
    const earlier = results(manual)[0]!
    await scene.write({ [INTRO]: AFTER })

    const run = await scene.run({ event: pullRequest(base, [INTRO]) })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(2)
    expect(submits()).toBe(2)
    const row = rowOf(comment(), INTRO)
    expect(row).toContain('before ➡️ after')
    expect(row).toContain((earlier.video_url as string).split('?')[0])
    expect(wordDiffOf(comment())).toContain('<del>team&#44;</del> <ins>everyone&#44;</ins>')
    // The before/after and reuse looked in one read of the list: every call counts against the
    // organisation's rate limit.
    // The manual run's reuse read it once, this run once.
    const lists = scene.sim.calls.filter(c => c.method === 'GET' && c.path.endsWith('/requests'))
    expect(lists).toHaveLength(2)
  })
  it('finds the earlier video in the release, when release is set', async () => {
    scene = await createScene({ files: { [INTRO]: BEFORE } })
    const base = commitBase()
    // The base version was merged, and its video published to the release.
    const [before, after] = ['b'.repeat(40), 'c'.repeat(40)]
    scene.github.setCompare(before, after, { files: [{ filename: INTRO, status: 'modified' }] })
    const merge = await scene.run({
      event: { name: 'push', payload: pushEvent({ before, after, ref: 'refs/heads/master' }) },
      inputs: { release: 'avatar-videos' }
    })
    expect(merge.code).toBe(0)
    const released = results(merge)[0]!.release_url as string
    expect(released).toContain('/releases/download/avatar-videos/')
    await scene.write({ [INTRO]: AFTER })

    // A dry run: neither the request queue nor this pull request's comment knows the video.
    const run = await scene.run({
      event: pullRequest(base, [INTRO]),
      inputs: { release: 'avatar-videos', 'dry-run': 'true', 'api-key': '' }
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    const row = rowOf(comment(), INTRO)
    expect(row).toContain('before ➡️ after')
    expect(row).toContain(`<a href="${released}">`)
    expect(scene.github.releases()).toHaveLength(1)
  })

  it('compares a renamed script with what it said under its earlier name', async () => {
    scene = await createScene({ files: { 'videos/old.md': BEFORE } })
    const base = commitBase()
    git('mv', 'videos/old.md', INTRO)
    await scene.write({ [INTRO]: AFTER })
    const renamed = {
      filename: INTRO,
      status: 'renamed',
      previous_filename: 'videos/old.md',
      additions: 1,
      deletions: 1
    }

    const run = await scene.run({
      event: pullRequest(base, [renamed]),
      inputs: { 'dry-run': 'true', 'api-key': '' }
    })

    expect(run.code).toBe(0)
    expect(rowOf(comment(), INTRO)).toContain('no earlier video')
    expect(wordDiffOf(comment())).toContain('<del>team&#44;</del> <ins>everyone&#44;</ins>')
  })
})

describe('a script with no earlier video', () => {
  it('says "new" for an added script and "no earlier video" for a changed one, still with its word diff', async () => {
    scene = await createScene({ files: { [INTRO]: BEFORE } })
    const base = commitBase()
    await scene.write({ [INTRO]: AFTER, 'videos/outro.md': script('Outro') })

    const run = await scene.run({
      event: pullRequest(base, [INTRO, { filename: 'videos/outro.md', status: 'added' }])
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(2)
    const body = comment()
    expect(rowOf(body, 'videos/outro.md')).toContain('🆕 new')
    expect(rowOf(body, INTRO)).toContain('no earlier video')
    expect(rowOf(body, INTRO)).not.toContain('before ➡️ after')
    expect(wordDiffOf(body)).toContain('<del>team&#44;</del> <ins>everyone&#44;</ins>')
    expect(rowOf(run.summary, 'videos/outro.md')).toContain('🆕 new')
  })

  it('says "no earlier video" for a base version larger than any script the action reads', async () => {
    scene = await createScene({ files: { [INTRO]: script('Intro', 'word '.repeat(300_000)) } })
    const base = commitBase()
    await scene.write({ [INTRO]: AFTER })

    const run = await scene.run({
      event: pullRequest(base, [INTRO]),
      inputs: { 'dry-run': 'true', 'api-key': '' }
    })

    expect(run.code).toBe(0)
    expect(rowOf(comment(), INTRO)).toContain('no earlier video')
    expect(wordDiffOf(comment())).toBe('')
    expect(run.stdout).not.toMatch(/^::(warning|error)/m)
  })

  it('says "no earlier video", without failing, when the checkout lacks the base commit', async () => {
    // No git history at all, as in a shallow checkout of the merge commit.
    scene = await createScene({ files: { [INTRO]: AFTER } })

    const run = await scene.run({ event: pullRequest('b'.repeat(40), [INTRO]) })

    expect(run.code).toBe(0)
    expect(rowOf(comment(), INTRO)).toContain('no earlier video')
    expect(wordDiffOf(comment())).toBe('')
    expect(run.stdout).not.toMatch(/^::(warning|error)/m)
  })
})

describe('a dry run', () => {
  it('shows the word diff of a changed script, and submits nothing', async () => {
    scene = await createScene({ files: { [INTRO]: BEFORE } })
    const base = commitBase()
    await scene.write({ [INTRO]: AFTER })

    const run = await scene.run({
      event: pullRequest(base, [INTRO]),
      inputs: { 'dry-run': 'true', 'api-key': '' }
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(0)
    expect(scene.sim.calls).toHaveLength(0)
    const body = comment()
    expect(body).toContain('Dry run')
    expect(wordDiffOf(body)).toContain('<del>team&#44;</del> <ins>everyone&#44;</ins>')
    expect(rowOf(body, INTRO)).toContain('no earlier video')
    expect(wordDiffOf(run.summary)).toContain('<del>new dashboard&#46;')
  })
})

describe('the words of a diff', () => {
  it('are inert: no HTML comment, marker, markup or workflow command can be formed', async () => {
    scene = await createScene({ files: { [INTRO]: BEFORE } })
    const base = commitBase()
    const hostile =
      'Hello <!-- hide --> --> ::error::boom <details><summary>x</summary> <img src=x> [a](https://evil.example) @admin'
    await scene.write({ [INTRO]: script('Intro', hostile) })

    const run = await scene.run({
      event: pullRequest(base, [INTRO]),
      inputs: { 'dry-run': 'true', 'api-key': '' }
    })

    expect(run.code).toBe(0)
    for (const body of [comment(), run.summary]) {
      const diff = wordDiffOf(body)
      expect(diff).toContain('<ins>')
      // Only the action's own tags: the summary, the markers; every word is entities.
      const tags = diff.match(/<\/?[a-z]+[^>]*>/g) ?? []
      expect(new Set(tags)).toEqual(
        new Set([
          '<details>',
          '<summary>',
          '</summary>',
          '<del>',
          '</del>',
          '<ins>',
          '</ins>',
          '</details>'
        ])
      )
      expect(diff).not.toContain('<!--')
      expect(diff).not.toContain('-->')
      expect(diff).not.toContain('](https')
      expect(diff).not.toMatch(/@admin/)
      // Outside the diff too: the only HTML comments are the action's marker and state.
      const comments = body.match(/<!--[\s\S]*?-->/g) ?? []
      for (const c of comments) expect(c).toMatch(/^<!-- avatar-video-action/)
    }
    expect(run.stdout).not.toMatch(/^::error::boom/m)
  })
})
