// Before anything is paid for, the key and each model are checked once: a refused key or an
// unknown model is one clear error, and trouble with the check itself only warns.
import { afterEach, describe, expect, it } from '@jest/globals'
import { preflight, PreflightError, reportParameters } from '../../src/queue/preflight.js'
import { MAX_MODELS_READ, readModelIds } from '../../src/queue/models.js'
import { MODEL, clientFor, startSim, videoRequest, type Sim } from './helpers.js'

let sim: Sim
afterEach(async () => sim?.close())

async function check(sim: Sim, models: string[], apiKey?: string) {
  const warnings: string[] = []
  const { client } = clientFor(sim, { apiKey })
  const error = await preflight(client, models, w => warnings.push(w)).then(
    () => null,
    (e: unknown) => e
  )
  return { error, warnings }
}

describe('preflight', () => {
  it('passes a good key and model with one call', async () => {
    sim = await startSim()
    const { error, warnings } = await check(sim, [MODEL, MODEL])
    expect(error).toBeNull()
    expect(warnings).toEqual([])
    expect(sim.calls.map(c => c.path)).toEqual([`/api/v1/ie/requestqueue/apikey/models/${MODEL}`])
  })

  it('refuses a bad key once, quoting the remote', async () => {
    sim = await startSim()
    const { error } = await check(sim, [MODEL, 'other-model'], 'wrong-key')
    expect(error).toBeInstanceOf(PreflightError)
    expect((error as Error).message).toBe(
      `The request queue refused the API key: GET /api/v1/ie/requestqueue/apikey/models/${MODEL}: HTTP 401 (the API key was refused): invalid api key`
    )
    expect(sim.calls).toHaveLength(1)
  })

  it('names an unknown model, says ids are case-sensitive, and which one the key can use', async () => {
    sim = await startSim()
    const { error } = await check(sim, [MODEL, 'HeyGen-Avatar-4'])
    expect((error as Error).message).toBe(
      'The request queue does not know model "HeyGen-Avatar-4" or this key has no access to it (model ids are case-sensitive): GET /api/v1/ie/requestqueue/apikey/models/HeyGen-Avatar-4: HTTP 404: model not found: model "HeyGen-Avatar-4" does not exist or this account cannot use it; did you mean `heygen-avatar-4`?'
    )
    expect(sim.calls.map(c => c.path.replace(/^.*\/apikey/, ''))).toEqual([
      `/models/${MODEL}`,
      '/models/HeyGen-Avatar-4',
      '/models'
    ])
  })

  it('suggests heygen-avatar-v4 to an account that has only that id', async () => {
    sim = await startSim({ models: ['heygen-avatar-v4', 'kling-v2-master'] })
    const { error } = await check(sim, [MODEL])
    expect((error as Error).message).toMatch(/: HTTP 404: .*; did you mean `heygen-avatar-v4`\?$/)
  })

  it('lists the models the key can use when none is close', async () => {
    sim = await startSim({ models: ['kling-v2-master', 'veo-3'] })
    const { error } = await check(sim, [MODEL])
    expect((error as Error).message).toMatch(
      /; the models this key can use: `kling-v2-master`, `veo-3`$/
    )
  })

  it('still names the unknown model when the list of models cannot be read', async () => {
    sim = await startSim()
    sim.inject({ path: /\/models$/, status: 403, body: { error: 'not allowed' } })
    const { error } = await check(sim, ['heygen-avatar-v4'])
    expect((error as Error).message).toMatch(
      /^The request queue does not know model "heygen-avatar-v4" .*; the list of models this key can use could not be read \(GET \S+\/models: HTTP 403 \(the API key was refused\): not allowed\)$/
    )
  })

  it("returns each model's declared parameters", async () => {
    sim = await startSim({ models: [MODEL, 'heygen-avatar-v4', 'plain'] })
    const { client } = clientFor(sim)
    const details = await preflight(client, [MODEL, 'heygen-avatar-v4', 'plain'], () => {})
    expect(details).toEqual([
      { model: MODEL, parameters: ['video_inputs', 'dimension', 'caption', 'title'] },
      { model: 'heygen-avatar-v4', parameters: ['video_inputs', 'dimension', 'duration'] },
      { model: 'plain', parameters: null }
    ])
  })

  it('only warns when the model endpoint itself is in trouble', async () => {
    sim = await startSim()
    sim.inject({ path: '/models/', status: 503, times: 3 })
    const { error, warnings } = await check(sim, [MODEL])
    expect(error).toBeNull()
    expect(warnings).toEqual([
      `Could not check model "${MODEL}" before submitting: GET /api/v1/ie/requestqueue/apikey/models/${MODEL}: HTTP 503: Service Unavailable (gave up after 3 attempts)`
    ])
  })
})

describe('the list of models', () => {
  it.each([
    ['a bare list of ids', ['a', 'b']],
    ['ids under models', { models: ['a', 'b'] }],
    ['ids under model_ids', { model_ids: ['a', 'b'], total: 2 }],
    ['objects under data', { data: [{ id: 'a', name: 'A' }, { model_id: 'b' }] }],
    ['objects named by model or name', { items: [{ model: 'a' }, { name: 'b' }] }],
    ['a list under any other key', { count: 2, tags: 'x', available: [{ id: 'a' }, 'b'] }],
    ['a list after one holding no ids', { regions: [1, 2], list: ['a', 'b', 'a'] }]
  ])('reads %s', (_, answer) => {
    expect(readModelIds(answer)).toEqual(['a', 'b'])
  })

  it('takes an empty list under a usual key as no model, and an answer with no list as unreadable', () => {
    expect(readModelIds({ models: [], tags: ['x'] })).toEqual([])
    expect(readModelIds({ count: 0 })).toBeNull()
    expect(readModelIds('models')).toBeNull()
  })

  it('reads a bounded part of a long list, and no string too long to be an id', () => {
    const ids = Array.from({ length: MAX_MODELS_READ + 5 }, (_, i) => `m${i}`)
    expect(readModelIds({ model_ids: ids })).toHaveLength(MAX_MODELS_READ)
    expect(readModelIds([{ id: 'x'.repeat(201), name: 'short' }, 'y'.repeat(201)])).toEqual([
      'short'
    ])
  })
})

describe('the parameters a model declares', () => {
  it('warns once for each payload key the model lacks, naming the scripts that send it', () => {
    const requests = ['videos/a.md', 'videos/b.md', 'videos/c.md', 'videos/d.md'].map(file => ({
      ...videoRequest(file),
      model: 'heygen-avatar-v4',
      payload: { ...videoRequest(file).payload, caption: file === 'videos/a.md' }
    }))
    const debug: string[] = []
    const warnings: string[] = []
    reportParameters(
      [{ model: 'heygen-avatar-v4', parameters: ['video_inputs', 'dimension', 'duration'] }],
      requests,
      { debug: m => debug.push(m), warn: m => warnings.push(m) }
    )
    expect(debug).toEqual([
      'Model heygen-avatar-v4 declares the parameters: video_inputs, dimension, duration'
    ])
    expect(warnings).toEqual([
      'Model "heygen-avatar-v4" does not declare the payload key "title" (it declares video_inputs, dimension, duration), which videos/a.md, videos/b.md, videos/c.md and 1 more send: the queue may ignore or refuse it',
      'Model "heygen-avatar-v4" does not declare the payload key "caption" (it declares video_inputs, dimension, duration), which videos/a.md, videos/b.md, videos/c.md and 1 more send: the queue may ignore or refuse it'
    ])
  })

  it("names ten of a model's 100k parameters and counts the rest", () => {
    const parameters = Array.from({ length: 100_000 }, (_, i) => `p${i}`)
    const debug: string[] = []
    const warnings: string[] = []
    reportParameters([{ model: MODEL, parameters }], [videoRequest('videos/a.md')], {
      debug: m => debug.push(m),
      warn: m => warnings.push(m)
    })
    const declared = 'p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 and 99990 more'
    expect(debug).toEqual([`Model ${MODEL} declares the parameters: ${declared}`])
    expect(warnings[0]).toBe(
      `Model "${MODEL}" does not declare the payload key "title" (it declares ${declared}), which videos/a.md sends: the queue may ignore or refuse it`
    )
  })

  it('says nothing of keys when the model lists no parameters', () => {
    const warnings: string[] = []
    const debug: string[] = []
    reportParameters([{ model: MODEL, parameters: null }], [videoRequest('videos/a.md')], {
      debug: m => debug.push(m),
      warn: m => warnings.push(m)
    })
    expect(warnings).toEqual([])
    expect(debug).toEqual([`Model ${MODEL}: its details list no parameters`])
  })
})
