// The built action against a request queue that misbehaves: errors and rate limits, lost
// answers, a refused key, failed jobs, a job that never starts, and a run cancelled midway.
// Each test checks what the user sees and what was paid for.
import { afterEach, describe, expect, it } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { createScene, results, type Scene } from './harness.js'

const PR = 7
const SCRIPTS = {
  'videos/intro.md': 'Welcome to the product tour.\n',
  'videos/outro.md': 'Thanks for watching, see you soon.\n'
}
const API = '/api/v1/ie/requestqueue/apikey'

let scene: Scene
afterEach(async () => scene?.close())

function pullRequest(files: string[]) {
  return scene.pullRequest(PR, files, { action: 'opened', authorAssociation: 'OWNER' })
}

const calls = () =>
  scene.sim.calls.map(
    c =>
      `${c.method} ${c.path.replace(API, '').replace(/requests\/.+/, 'requests/:id')} ${c.status}`
  )
const comment = () => scene.github.comments(PR)[0]?.body ?? ''
const errors = (stdout: string) => stdout.split('\n').filter(line => line.startsWith('::error'))

describe('a flaky request queue', () => {
  it('rides out a 503 and a 429 with Retry-After, paying once', async () => {
    scene = await createScene({ files: { 'videos/intro.md': SCRIPTS['videos/intro.md'] } })
    scene.sim.inject({ method: 'POST', status: 503 })
    scene.sim.inject({ method: 'POST', status: 429, headers: { 'Retry-After': '0.2' } })

    const run = await scene.run({ event: pullRequest(['videos/intro.md']) })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    expect(calls().filter(c => !c.startsWith('GET /requests/:id'))).toEqual([
      'GET /models/heygen-avatar-4 200',
      // The reuse lookup: no earlier identical request in the list.
      'GET /requests 200',
      'POST /requests 503',
      'GET /requests 200',
      'POST /requests 429',
      'POST /requests 200'
    ])
    expect(run.stdout).toMatch(
      /Request queue: POST \S+\/requests: HTTP 503: Service Unavailable; looking for the request it may have created; retry 1 in \d\.\d s/
    )
    expect(run.stdout).toContain(
      `Request queue: POST ${API}/requests: HTTP 429 (rate limited): Too Many Requests; retry 2 in 0.2 s`
    )
    expect(results(run)[0]).toMatchObject({
      status: 'success',
      request_id: scene.sim.requests[0]!.request_id
    })
    expect(scene.github.violations).toEqual([])
  })

  it('adopts the request whose submit answer was lost instead of paying again', async () => {
    scene = await createScene({ files: { 'videos/intro.md': SCRIPTS['videos/intro.md'] } })
    scene.sim.inject({ method: 'POST', ambiguous: true })

    const run = await scene.run({ event: pullRequest(['videos/intro.md']) })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    expect(calls().filter(c => c.startsWith('POST') || c.startsWith('GET /requests '))).toEqual([
      // The reuse lookup, before the first submission.
      'GET /requests 200',
      'POST /requests 0',
      'GET /requests 200'
    ])
    const id = scene.sim.requests[0]!.request_id
    expect(results(run)[0]).toMatchObject({ status: 'success', request_id: id })
    expect(comment()).toContain(id)
    expect(scene.github.violations).toEqual([])
  })
})

describe('checks before paying', () => {
  it('stops at one clear error when the key is refused, submitting nothing', async () => {
    scene = await createScene({ files: SCRIPTS })

    const run = await scene.run({
      event: pullRequest(Object.keys(SCRIPTS)),
      inputs: { 'api-key': 'gmi-revoked-key' }
    })

    expect(run.code).toBe(1)
    expect(errors(run.stdout)).toEqual([
      `::error::The request queue refused the API key: GET ${API}/models/heygen-avatar-4: HTTP 401 (the API key was refused): invalid api key`
    ])
    expect(calls()).toEqual(['GET /models/heygen-avatar-4 401'])
    expect(scene.sim.billable).toBe(0)
    // Every row still reaches the reviewer, failed for that one reason.
    expect(results(run).map(r => [r.status, r.error])).toEqual([
      ['failed', expect.stringMatching(/^The request queue refused the API key/)],
      ['failed', expect.stringMatching(/^The request queue refused the API key/)]
    ])
    expect(scene.github.comments(PR)[0]!.body).toContain('The request queue refused the API key')
    expect(scene.github.violations).toEqual([])
  })

  it('names a model the queue does not know, submitting nothing', async () => {
    scene = await createScene({ files: SCRIPTS })

    const run = await scene.run({
      event: pullRequest(Object.keys(SCRIPTS)),
      inputs: { model: 'heygen-avatar-v4' }
    })

    expect(run.code).toBe(1)
    expect(errors(run.stdout)).toEqual([
      `::error::The request queue does not know model "heygen-avatar-v4" or this key has no access to it (model ids are case-sensitive): GET ${API}/models/heygen-avatar-v4: HTTP 404: model not found: model "heygen-avatar-v4" does not exist or this account cannot use it; did you mean \`heygen-avatar-4\`?`
    ])
    expect(scene.sim.billable).toBe(0)
  })
})

describe('jobs that end badly', () => {
  it('reports a failed job with its reason and a success without a video', async () => {
    scene = await createScene({
      files: SCRIPTS,
      sim: {
        plan: payload =>
          String(payload.title).includes('intro')
            ? {
                outcome: 'failed',
                reason: 'voice 2d5b0e6c is unavailable',
                reasonAt: 'error_message'
              }
            : { omitMedia: true }
      }
    })

    const run = await scene.run({ event: pullRequest(Object.keys(SCRIPTS)) })

    expect(run.code).toBe(1)
    const byFile = Object.fromEntries(results(run).map(r => [r.file, r]))
    expect(byFile['videos/intro.md']).toMatchObject({
      status: 'failed',
      error: 'voice 2d5b0e6c is unavailable'
    })
    expect(byFile['videos/outro.md']).toMatchObject({
      status: 'failed',
      video_url: null,
      error:
        'the queue reported success but gave no video URL the action recognises (outcome keys: thumbnail_image_url, duration)'
    })
    for (const request of scene.sim.requests) expect(comment()).toContain(request.request_id)
    expect(comment()).toContain('voice 2d5b0e6c is unavailable')
    expect(scene.sim.billable).toBe(2)
    expect(scene.artifacts.artifacts).toHaveLength(0)
  })

  it('ends a job that never starts as timeout, keeping its request id for the next run', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': SCRIPTS['videos/intro.md'] },
      sim: { plan: () => ({ neverStarts: true }) }
    })

    const run = await scene.run({
      event: pullRequest(['videos/intro.md']),
      inputs: { timeout: '1' }
    })

    // A job that never starts would keep it forever: the 1 s timeout ends it.
    expect(run.code).toBe(1)
    const id = scene.sim.requests[0]!.request_id
    expect(results(run)[0]).toMatchObject({
      status: 'timeout',
      request_id: id,
      error: `still queued after 1 s; the next run resumes request ${id}`
    })
    expect(comment()).toContain(id)
    expect(scene.sim.billable).toBe(1)
  })
})

describe('a cancelled run', () => {
  it('stops polling on SIGINT and still publishes every request id', async () => {
    scene = await createScene({ files: SCRIPTS, sim: { plan: () => ({ neverStarts: true }) } })
    let child: ChildProcess | undefined

    // The runner sends SIGINT first, and SIGTERM only 7.5 s later: the action must be gone by then,
    // so it may not wait for its next poll. With an hour between polls, a run that waited would
    // still be running at Jest's timeout.
    const running = scene.run({
      event: pullRequest(Object.keys(SCRIPTS)),
      inputs: { 'poll-interval': '3600' },
      onSpawn: spawned => (child = spawned)
    })
    while (scene.sim.billable < 2) await new Promise(resolve => setTimeout(resolve, 10))
    child!.kill('SIGINT')
    const run = await running
    const callsAtExit = scene.sim.calls.length

    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '::warning::Received SIGINT: stopping, and publishing what is known so far'
    )
    const ids = Object.keys(SCRIPTS).map(
      file => scene.sim.requests.find(r => r.payload.title === file)!.request_id
    )
    expect(results(run).map(r => [r.file, r.status, r.request_id])).toEqual(
      Object.keys(SCRIPTS).map((file, i) => [file, 'timeout', ids[i]])
    )
    expect(results(run)[0]!.error).toBe(
      `the run was cancelled while the video was queued; the next run resumes request ${ids[0]}`
    )
    for (const id of ids) expect(comment()).toContain(id)
    expect(run.summary).toContain(ids[0])
    expect(scene.artifacts.artifacts).toHaveLength(0)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(scene.sim.calls.length).toBe(callsAtExit)
    expect(scene.sim.billable).toBe(2)
    expect(scene.github.violations).toEqual([])
  })
})
