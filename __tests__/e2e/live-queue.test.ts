// The first run against the real request queue, as the evidence of live clients says it may
// answer (request-queue.md, "Evidence from live clients"; issue 13): another model id, parameters
// the model does not declare, slow acceptance, rate limits, undocumented failure reasons and media
// shapes, requests not visible at once, a paged list. The built action must get through, or say
// exactly what it met; a dry run given a key checks the setup, and a debug log shows every answer.
import { afterEach, describe, expect, it } from '@jest/globals'
import { workflowDispatchEvent } from '../../stand-ins/events.js'
import { SAMPLE_INPUTS } from '../../stand-ins/runner.js'
import { API_KEY, createScene, results, type Scene, type Run } from './harness.js'

const PR = 13
const API = '/api/v1/ie/requestqueue/apikey'
const INTRO = 'Welcome to the product tour.\n'
const OUTRO = 'Thanks for watching, see you soon.\n'
const THIRD = 'One more thing before you go.\n'

let scene: Scene
afterEach(async () => scene?.close())

const pullRequest = (files: string[]) =>
  scene.pullRequest(PR, files, { action: 'opened', authorAssociation: 'OWNER' })
const manualRun = () => ({ name: 'workflow_dispatch', payload: workflowDispatchEvent() })
const comment = () => scene.github.comments(PR)[0]?.body ?? ''
const byFile = (run: Run) => new Map(results(run).map(r => [r.file as string, r]))
const calls = () =>
  scene.sim.calls.map(
    c =>
      `${c.method} ${c.path.replace(API, '').replace(/requests\/.+/, 'requests/:id')} ${c.status}`
  )
const annotations = (run: Run, level: string) =>
  run.annotations.filter(a => a.level === level).map(a => a.message)
const debugLines = (run: Run) =>
  run.stdout.split('\n').filter(line => line.startsWith('::debug::Request queue: '))
/** What a reader of the comment sees: numeric entities decoded, zero-width joiners dropped. */
const readable = (markdown: string) =>
  markdown
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\u200D/g, '')

describe('the model id', () => {
  it('names heygen-avatar-v4 when the account has only that id, paying nothing', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { models: ['heygen-avatar-v4'] }
    })

    const run = await scene.run({ event: pullRequest(['videos/intro.md']) })

    expect(run.code).toBe(1)
    const said = annotations(run, 'error')
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(
      /^The request queue does not know model "heygen-avatar-4" .*: HTTP 404: .*; did you mean `heygen-avatar-v4`\?$/
    )
    expect(calls()).toEqual(['GET /models/heygen-avatar-4 404', 'GET /models 200'])
    expect(scene.sim.billable).toBe(0)
    expect(readable(comment())).toContain('did you mean `heygen-avatar-v4`?')
  })

  it.each([
    ['a list of ids under model_ids', { model_ids: ['kling-v2-master', 'heygen-avatar-v4'] }],
    [
      'a list of objects under another key',
      { available: [{ id: 'kling-v2-master' }, { id: 'heygen-avatar-v4' }], count: 2 }
    ]
  ])('names heygen-avatar-v4 from %s', async (_, answer) => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { models: ['heygen-avatar-v4'] }
    })
    scene.sim.inject({ method: 'GET', path: /\/models$/, status: 200, body: answer })

    const run = await scene.run({ event: pullRequest(['videos/intro.md']) })

    expect(run.code).toBe(1)
    expect(annotations(run, 'error')).toEqual([
      expect.stringMatching(
        /^The request queue does not know model "heygen-avatar-4" .*: HTTP 404: .*; did you mean `heygen-avatar-v4`\?$/
      )
    ])
    expect(scene.sim.billable).toBe(0)
  })

  it('works with heygen-avatar-v4, warning once for each payload key that model does not declare', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO, 'videos/outro.md': OUTRO },
      sim: { models: ['heygen-avatar-v4'] }
    })

    const run = await scene.run({
      event: pullRequest(['videos/intro.md', 'videos/outro.md']),
      inputs: { model: 'heygen-avatar-v4' }
    })

    expect(run.code).toBe(0)
    expect(results(run).map(r => r.status)).toEqual(['success', 'success'])
    const declared = 'it declares video_inputs, dimension, duration'
    expect(annotations(run, 'warning')).toEqual([
      `Model "heygen-avatar-v4" does not declare the payload key "caption" (${declared}), which videos/intro.md, videos/outro.md send: the queue may ignore or refuse it`,
      `Model "heygen-avatar-v4" does not declare the payload key "title" (${declared}), which videos/intro.md, videos/outro.md send: the queue may ignore or refuse it`
    ])
    expect(run.stdout).toContain(
      '::debug::Model heygen-avatar-v4 declares the parameters: video_inputs, dimension, duration'
    )
  })
})

describe('a slow acceptance', () => {
  it('waits for the answer of a submission the queue takes seconds to accept, paying once', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      // 60 simulated seconds: 3 s here, longer than every other answer of the run.
      sim: { plan: () => ({ acceptSeconds: 60 }) }
    })

    const run = await scene.run({ event: pullRequest(['videos/intro.md']) })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    expect(calls().filter(c => c.startsWith('POST'))).toEqual(['POST /requests 200'])
    const post = debugLines(run).find(line => line.includes('POST '))
    expect(post).toMatch(/→ HTTP 200 in [3-9]\.\d s: status /)
    expect(results(run)[0]).toMatchObject({ status: 'success' })
  })
})

describe("the queue's rate limit", () => {
  const three = { 'videos/a.md': INTRO, 'videos/b.md': OUTRO, 'videos/c.md': THIRD }

  it('stops submitting at the first 429 asking for an hour, and the next run goes on', async () => {
    scene = await createScene({ files: three, sim: { rateLimit: { requests: 1 } } })
    const event = pullRequest(Object.keys(three))

    const run = await scene.run({ event, inputs: { 'max-concurrency': '1' } })

    expect(run.code).toBe(1)
    expect(scene.sim.billable).toBe(1)
    expect(calls().filter(c => c.startsWith('POST'))).toEqual([
      'POST /requests 200',
      'POST /requests 429'
    ])
    const why = `the request queue's rate limit was reached (POST ${API}/requests: HTTP 429 (rate limited): rate limit exceeded(RPM); it asks to wait 60 min)`
    expect(results(run).map(r => [r.file, r.status, r.error])).toEqual([
      ['videos/a.md', 'success', null],
      ['videos/b.md', 'skipped', `not submitted: ${why}; the next run submits it`],
      ['videos/c.md', 'skipped', `not submitted: ${why}; the next run submits it`]
    ])
    expect(run.outputs).toMatchObject({ succeeded: '1', failed: '0' })
    expect(annotations(run, 'warning')).toContain(
      `T${why.slice(1)}: nothing more is submitted this run; the scripts not yet submitted are skipped, and the next run submits them`
    )
    const notice = `T${why.slice(1)}: 2 scripts were not submitted, and the next run submits them`
    expect(annotations(run, 'error')).toEqual([notice])
    expect(readable(comment())).toContain(notice)
    expect(readable(run.summary)).toContain(notice)

    // An hour later: the video already made is reused, the two skipped are submitted.
    scene.sim.setRateLimit(undefined)
    const next = await scene.run({ event })

    expect(next.code).toBe(0)
    expect(results(next).map(r => r.status)).toEqual(['reused', 'success', 'success'])
    expect(scene.sim.billable).toBe(3)
  })

  it('reports a request failed for the rate limit as such, and submits no more', async () => {
    scene = await createScene({ files: three, sim: { rateLimit: { requests: 1, as: 'failed' } } })

    const run = await scene.run({
      event: pullRequest(Object.keys(three)),
      inputs: { 'max-concurrency': '1' }
    })

    expect(run.code).toBe(1)
    const b = byFile(run).get('videos/b.md')!
    expect(b).toMatchObject({
      status: 'failed',
      error:
        'rate limited, not a render failure: the request queue refused it for its rate limit or quota (rate limit exceeded(RPM)); the next run submits it again'
    })
    expect(byFile(run).get('videos/c.md')).toMatchObject({
      status: 'skipped',
      error: `not submitted: the request queue's rate limit was reached (request ${String(b.request_id)} failed: rate limit exceeded(RPM)); the next run submits it`
    })
    expect(scene.sim.billable).toBe(2)
    expect(readable(comment())).toContain('rate limited, not a render failure')
  })
})

describe('failure reasons and media in other shapes', () => {
  it('finds the reason wherever the queue put it, and never shows an empty one', async () => {
    const files = { 'videos/a.md': INTRO, 'videos/b.md': OUTRO, 'videos/c.md': THIRD }
    scene = await createScene({
      files,
      sim: {
        plan: payload =>
          ({
            'videos/a.md': {
              outcome: 'failed' as const,
              reason: 'avatar is not available',
              reasonAt: 'outcome.error_message' as const
            },
            'videos/b.md': {
              outcome: 'failed' as const,
              reason: 'moderation_rejected',
              reasonAt: 'outcome.status' as const
            },
            'videos/c.md': {
              outcome: 'failed' as const,
              failedOutcome: { code: 'E_LIPSYNC', stage: 3 }
            }
          })[String(payload.title)]
      }
    })

    const run = await scene.run({ event: pullRequest(Object.keys(files)) })

    expect(results(run).map(r => [r.file, r.status, r.error])).toEqual([
      ['videos/a.md', 'failed', 'avatar is not available'],
      ['videos/b.md', 'failed', 'moderation_rejected'],
      [
        'videos/c.md',
        'failed',
        'the queue reported failed without a reason; its outcome: {"code":"E_LIPSYNC","stage":3}'
      ]
    ])
    for (const reason of ['avatar is not available', 'moderation_rejected', '"code":"E_LIPSYNC"']) {
      expect(comment()).toContain(reason)
    }
  })

  it('keeps every video of medias[], saves PNG and WebP thumbnails as such, and names unknown shapes', async () => {
    const files = { 'videos/a.md': INTRO, 'videos/b.md': OUTRO, 'videos/c.md': THIRD }
    scene = await createScene({
      files,
      sim: {
        plan: payload =>
          ({
            'videos/a.md': {
              videoUrlField: 'medias' as const,
              extraMedia: 1,
              thumbnailFormat: 'png' as const
            },
            'videos/b.md': { thumbnailFormat: 'webp' as const },
            'videos/c.md': { videoUrlField: 'output' as const }
          })[String(payload.title)]
      }
    })

    const run = await scene.run({ event: pullRequest(Object.keys(files)) })

    expect(run.code).toBe(1)
    const [a, b, c] = results(run)
    expect(a).toMatchObject({
      status: 'success',
      video_file: 'videos/a.mp4',
      thumbnail_file: 'videos/a.png'
    })
    expect(a!.media_urls).toEqual([
      expect.stringMatching(/\/video\.mp4\?/),
      expect.stringMatching(/\/video-1\.mp4\?/)
    ])
    expect(a!.video_url).toBe((a!.media_urls as string[])[0])
    expect(b).toMatchObject({ status: 'success', thumbnail_file: 'videos/b.webp' })
    expect(b!.media_urls).toEqual([b!.video_url])
    expect(c).toMatchObject({
      status: 'failed',
      media_urls: null,
      error:
        'the queue reported success but gave no video URL the action recognises (outcome keys: output, thumbnail_image_url, duration)'
    })

    const stored = scene.artifacts.artifacts[0]!.files()
    expect([...stored.keys()].sort()).toEqual([
      'manifest.json',
      'videos/a.mp4',
      'videos/a.png',
      'videos/b.mp4',
      'videos/b.webp'
    ])
    const manifest = JSON.parse(Buffer.from(stored.get('manifest.json')!).toString('utf8'))
    expect(manifest[0].media_urls).toEqual(a!.media_urls)
  })
})

describe('a request not visible at once', () => {
  it('polls on through the 404s of a request it has just paid for', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ hiddenSeconds: 20 }) }
    })

    const run = await scene.run({ event: pullRequest(['videos/intro.md']) })

    expect(run.code).toBe(0)
    expect(results(run)[0]).toMatchObject({
      status: 'success',
      request_id: scene.sim.requests[0]!.request_id
    })
    const polls = calls().filter(c => c.startsWith('GET /requests/:id'))
    expect(polls[0]).toBe('GET /requests/:id 404')
    expect(polls.at(-1)).toBe('GET /requests/:id 200')
    expect(scene.sim.billable).toBe(1)
  })
})

describe('a request list in pages', () => {
  /** Another request, newer than the script's: it pushes the script's to the second page. */
  async function submitAnother() {
    const res = await fetch(`${scene.sim.url}${API}/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({
        model: 'heygen-avatar-4',
        payload: {
          video_inputs: [
            {
              character: { type: 'avatar', avatar_id: SAMPLE_INPUTS['avatar-id'] },
              voice: { type: 'text', input_text: 'Another', voice_id: SAMPLE_INPUTS['voice-id'] }
            }
          ]
        }
      })
    })
    expect(res.status).toBe(200)
  }

  it('follows the pages the list names, and reuses a video found on the second', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { listPageSize: 1, listPaging: 'page' }
    })
    const first = await scene.run({ event: manualRun() })
    await submitAnother()

    const second = await scene.run({ event: manualRun() })

    expect([first.code, second.code]).toEqual([0, 0])
    expect(results(second)[0]).toMatchObject({
      status: 'reused',
      request_id: results(first)[0]!.request_id
    })
    expect(scene.sim.billable).toBe(2)
    const listed = scene.sim.calls.filter(c => c.path.endsWith('/requests') && c.method === 'GET')
    expect(listed.slice(-2).map(c => c.query.page ?? '1')).toEqual(['1', '2'])
  })

  it('says in the log when the list shows only part of the requests', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { listPageSize: 1 }
    })
    await scene.run({ event: manualRun() })
    await submitAnother()

    const second = await scene.run({ event: manualRun() })

    expect(second.stdout).toContain(
      'Reuse: the request list of heygen-avatar-4 shows 1 of 2 requests: an earlier identical video among those not shown is not found, and would be paid for again'
    )
    expect(second.stdout).toMatch(/::debug::Request queue: GET \S+\/requests → HTTP 200 .*total 2/)
    expect(scene.sim.billable).toBe(3)
  })
})

describe('check my setup: a dry run given a key', () => {
  it('checks the key, the model and the request list, submitting nothing', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO } })

    const run = await scene.run({
      event: pullRequest(['videos/intro.md']),
      inputs: { 'dry-run': 'true' }
    })

    expect(run.code).toBe(0)
    expect(calls()).toEqual(['GET /models/heygen-avatar-4 200', 'GET /requests 200'])
    const findings = [
      'The request queue accepts the API key.',
      'Model heygen-avatar-4 is available; it declares the parameters video_inputs, dimension, caption, title.',
      'The request list of heygen-avatar-4 shows 0 requests: whether it shows payloads, which reuse relies on, is known once the first video is made.'
    ]
    expect(run.stdout).toContain(
      ['::group::Setup check: what the request queue shows this key', ...findings].join('\n')
    )
    for (const finding of findings) {
      expect(readable(comment())).toContain(finding)
      expect(readable(run.summary)).toContain(finding)
    }
    expect(results(run)[0]).toMatchObject({ status: 'skipped' })
  })

  it('says when the list hides the payloads that reuse relies on', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { echoPayload: false }
    })
    await scene.run({ event: manualRun() })

    const run = await scene.run({ event: manualRun(), inputs: { 'dry-run': 'true' } })

    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      "The request list of heygen-avatar-4 shows 1 request, without payloads: reuse relies on the pull requests' comments"
    )
    expect(scene.sim.billable).toBe(1)
  })

  it('fails on a refused key, and names the model id the account has', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { models: ['heygen-avatar-v4'] }
    })

    const refused = await scene.run({
      event: manualRun(),
      inputs: { 'dry-run': 'true', 'api-key': 'gmi-revoked-key' }
    })
    const wrongModel = await scene.run({ event: manualRun(), inputs: { 'dry-run': 'true' } })

    expect(refused.code).toBe(1)
    expect(annotations(refused, 'error')[0]).toMatch(/^The request queue refused the API key: /)
    expect(wrongModel.code).toBe(1)
    expect(annotations(wrongModel, 'error')[0]).toMatch(/; did you mean `heygen-avatar-v4`\?$/)
    expect(readable(wrongModel.summary)).toContain('did you mean `heygen-avatar-v4`?')
    expect(calls().some(c => c.startsWith('POST'))).toBe(false)
  })
})

describe('the debug trail', () => {
  it('logs the shape of every answer of the queue, without a media URL or the key', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ extraMedia: 1 }) }
    })

    const run = await scene.run({ event: pullRequest(['videos/intro.md']) })

    expect(run.code).toBe(0)
    const trail = debugLines(run)
    expect(trail).toHaveLength(scene.sim.calls.length)
    expect(trail.at(-1)).toMatch(
      /GET \S+\/requests\/[\w-]+ → HTTP 200 in \d+\.\d s: status success, outcome keys duration, media_urls, thumbnail_image_url, 2 media, payload; keys /
    )
    const text = trail.join('\n')
    expect(text).not.toMatch(/https?:|sig=|expires=/)
    expect(text).not.toContain(API_KEY)
  })
})
