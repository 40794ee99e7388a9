// Never paying twice, as a user meets it: re-runs, merges and manual runs reuse the videos of
// unchanged scripts, and a run that ran out of time hands its requests to the next run.
import { afterEach, describe, expect, it } from '@jest/globals'
import { pullRequestEvent, pushEvent, workflowDispatchEvent } from '../../stand-ins/events.js'
import { createScene, results, type Scene } from './harness.js'

const PR = 42
const HEAD = 'a'.repeat(40)
const BASE = 'b'.repeat(40)
const MERGE = 'c'.repeat(40)
const INTRO = '---\ntitle: Product intro\n---\nHello team, this is our new dashboard.\n'
const OUTRO = '---\ntitle: Goodbye\n---\nThanks for watching.\n'

let scene: Scene
afterEach(async () => scene?.close())

/** A pull request that adds these scripts. */
function pullRequest(files = ['videos/intro.md', 'videos/outro.md']) {
  scene.github.addPullRequest(PR, {
    files: files.map(filename => ({ filename, status: 'added' })),
    head: { sha: HEAD, ref: 'feature' },
    base: { sha: BASE, ref: 'main' }
  })
  return {
    name: 'pull_request',
    payload: pullRequestEvent({
      number: PR,
      action: 'synchronize',
      headSha: HEAD,
      baseSha: BASE,
      authorAssociation: 'MEMBER'
    })
  }
}

function manualRun() {
  return { name: 'workflow_dispatch', payload: workflowDispatchEvent() }
}

function byFile(run: Awaited<ReturnType<Scene['run']>>) {
  return Object.fromEntries(results(run).map(r => [r.file as string, r]))
}

function listCalls(): number {
  return scene.sim.calls.filter(c => c.method === 'GET' && c.path.endsWith('/requests')).length
}

function comment(): string {
  return scene.github.comments(PR)[0]?.body ?? ''
}

describe('a pull request run again', () => {
  it('reuses the videos of unchanged scripts, with fresh links, and pays nothing', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO, 'videos/outro.md': OUTRO },
      sim: { resignMedia: true }
    })
    const event = pullRequest()
    const first = await scene.run({ event })
    expect(scene.sim.billable).toBe(2)
    // The links the first run got have expired by the time the workflow is re-run.
    scene.sim.expireMedia()
    const listsBefore = listCalls()

    const second = await scene.run({ event })

    expect(second.code).toBe(0)
    expect(scene.sim.billable).toBe(2)
    // The comment knew both videos: the request list was not even read.
    expect(listCalls()).toBe(listsBefore)
    const before = byFile(first)
    const after = byFile(second)
    for (const file of ['videos/intro.md', 'videos/outro.md']) {
      expect(after[file]).toMatchObject({
        status: 'reused',
        hash: before[file]!.hash,
        request_id: before[file]!.request_id
      })
      expect(after[file]!.video_url).not.toBe(before[file]!.video_url)
    }
    expect(second.outputs.succeeded).toBe('2')
    // The artifact holds the videos, downloaded through the refreshed links.
    const files = scene.artifacts.artifacts.at(-1)!.files()
    expect(Buffer.from(files.get('videos/intro.mp4')!).toString('latin1', 4, 8)).toBe('ftyp')
    expect(comment()).toContain('♻️ reused')
    expect(comment()).toMatch(/min saved by reuse/)
    expect(scene.github.comments(PR)).toHaveLength(1)
    expect(scene.github.violations).toEqual([])
  })

  it('pays for exactly one new video when one script changed', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO, 'videos/outro.md': OUTRO } })
    const event = pullRequest()
    await scene.run({ event })
    await scene.write({ 'videos/outro.md': `${OUTRO}See you soon.\n` })

    const second = await scene.run({ event })

    expect(scene.sim.billable).toBe(3)
    expect(byFile(second)['videos/intro.md']!.status).toBe('reused')
    expect(byFile(second)['videos/outro.md']).toMatchObject({
      status: 'success',
      request_id: scene.sim.requests[2]!.request_id
    })
    expect(scene.github.violations).toEqual([])
  })

  it('finds the earlier video in the request list when the comment was deleted', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO } })
    const event = pullRequest(['videos/intro.md'])
    const first = await scene.run({ event })
    scene.github.deleteComment(scene.github.comments(PR)[0]!.id)

    const second = await scene.run({ event })

    expect(scene.sim.billable).toBe(1)
    expect(results(second)[0]).toMatchObject({
      status: 'reused',
      request_id: results(first)[0]!.request_id
    })
    expect(comment()).toContain('♻️ reused')
  })

  it('generates again a reused video whose request no longer answers success', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO } })
    const event = pullRequest(['videos/intro.md'])
    const first = await scene.run({ event })
    scene.sim.forget(results(first)[0]!.request_id as string)

    const second = await scene.run({ event })

    expect(second.code).toBe(0)
    expect(scene.sim.billable).toBe(2)
    expect(results(second)[0]).toMatchObject({
      status: 'success',
      request_id: scene.sim.requests[1]!.request_id
    })
  })

  it('regenerates everything with reuse: false', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO } })
    const event = pullRequest(['videos/intro.md'])
    await scene.run({ event })

    const second = await scene.run({ event, inputs: { reuse: 'false' } })

    expect(scene.sim.billable).toBe(2)
    expect(results(second)[0]).toMatchObject({
      status: 'success',
      request_id: scene.sim.requests[1]!.request_id
    })
  })

  it('regenerates a script that says regenerate: true', async () => {
    scene = await createScene({
      files: {
        'videos/intro.md': INTRO.replace('title:', 'regenerate: true\ntitle:'),
        'videos/outro.md': OUTRO
      }
    })
    const event = pullRequest()
    await scene.run({ event })

    const second = await scene.run({ event })

    expect(scene.sim.billable).toBe(3)
    expect(byFile(second)['videos/intro.md']!.status).toBe('success')
    expect(byFile(second)['videos/outro.md']!.status).toBe('reused')
  })
})

describe('a push that merges a reviewed pull request', () => {
  it('reuses the videos the reviewers saw, and pays nothing', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO, 'videos/outro.md': OUTRO } })
    const reviewed = await scene.run({ event: pullRequest() })
    expect(scene.sim.billable).toBe(2)
    scene.github.addPullRequest(PR, {
      head: { sha: HEAD, ref: 'feature' },
      base: { sha: BASE, ref: 'main' },
      merged: true,
      merge_commit_sha: MERGE
    })
    scene.github.setCommitPulls(MERGE, [PR])
    scene.github.setCompare(BASE, MERGE, {
      files: [
        { filename: 'videos/intro.md', status: 'added' },
        { filename: 'videos/outro.md', status: 'added' }
      ]
    })

    const merged = await scene.run({
      event: {
        name: 'push',
        payload: pushEvent({ before: BASE, after: MERGE, ref: 'refs/heads/main' })
      }
    })

    expect(merged.code).toBe(0)
    expect(scene.sim.billable).toBe(2)
    const before = byFile(reviewed)
    for (const [file, result] of Object.entries(byFile(merged))) {
      expect(result).toMatchObject({ status: 'reused', request_id: before[file]!.request_id })
    }
    expect(results(merged)).toHaveLength(2)
    expect(merged.stdout).toContain('(pull request #42): reusing its video')
    expect(merged.summary).toContain('♻️ reused')
    expect(scene.github.violations).toEqual([])
  })
})

describe('a manual run', () => {
  it('finds an earlier request of the identical payload in the request list', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO } })
    const first = await scene.run({ event: manualRun() })
    expect(scene.sim.billable).toBe(1)

    const second = await scene.run({ event: manualRun() })

    expect(second.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    expect(results(second)[0]).toMatchObject({
      status: 'reused',
      request_id: results(first)[0]!.request_id
    })
    expect(second.stdout).toContain('(found in the request list): reusing its video')
  })

  it('pays again when the request list does not show what was sent', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { echoPayload: false }
    })
    await scene.run({ event: manualRun() })

    const second = await scene.run({ event: manualRun() })

    expect(scene.sim.billable).toBe(2)
    expect(results(second)[0]!.status).toBe('success')
  })
})

describe('a run that ran out of time', () => {
  it('hands its request to the next run, which polls it instead of paying again', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ processingSeconds: 60 }) }
    })
    const event = pullRequest(['videos/intro.md'])
    const first = await scene.run({ event, inputs: { timeout: '1', 'fail-on-error': 'false' } })
    expect(results(first)[0]!.status).toBe('timeout')
    expect(scene.sim.billable).toBe(1)

    const second = await scene.run({ event })

    expect(second.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    expect(results(second)[0]).toMatchObject({
      status: 'success',
      request_id: results(first)[0]!.request_id
    })
    expect(comment()).toContain('↩️')
    expect(scene.github.violations).toEqual([])
  })

  it('resumes the request of a run that was cancelled while it rendered', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ processingSeconds: 40 }) }
    })
    const event = pullRequest(['videos/intro.md'])
    const cancelled = await scene.run({
      event,
      onSpawn: child => {
        const poll = setInterval(() => {
          if (scene.sim.billable === 0) return
          clearInterval(poll)
          child.kill('SIGINT')
        }, 20)
      }
    })
    expect(results(cancelled)[0]!.status).toBe('timeout')

    const second = await scene.run({ event })

    expect(scene.sim.billable).toBe(1)
    expect(results(second)[0]).toMatchObject({
      status: 'success',
      request_id: scene.sim.requests[0]!.request_id
    })
    expect(comment()).toContain('↩️')
  })

  it('resumes the request of a run killed outright, from what the live comment saved', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ processingSeconds: 60 }) }
    })
    const event = pullRequest(['videos/intro.md'])
    // SIGKILL gives no chance to publish: only the live comment, showing the row still
    // rendering with its request id, survives.
    const killed = await scene.run({
      event,
      onSpawn: child => {
        const poll = setInterval(() => {
          const body = scene.github.comments(PR)[0]?.body ?? ''
          if (!scene.sim.billable || !body.includes(scene.sim.requests[0]!.request_id)) return
          clearInterval(poll)
          child.kill('SIGKILL')
        }, 20)
      }
    })
    expect(killed.code).toBeNull()
    expect(killed.outputs).toEqual({})

    const next = await scene.run({ event })

    expect(scene.sim.billable).toBe(1)
    expect(results(next)[0]).toMatchObject({
      status: 'success',
      request_id: scene.sim.requests[0]!.request_id
    })
    expect(comment()).toContain('↩️')
    expect(scene.github.violations).toEqual([])
  })
})
