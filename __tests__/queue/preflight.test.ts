// Before anything is paid for, the key and each model are checked once: a refused key or an
// unknown model is one clear error, and trouble with the check itself only warns.
import { afterEach, describe, expect, it } from '@jest/globals'
import { preflight, PreflightError } from '../../src/queue/preflight.js'
import { MODEL, clientFor, startSim, type Sim } from './helpers.js'

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

  it('names an unknown model and says ids are case-sensitive', async () => {
    sim = await startSim()
    const { error } = await check(sim, [MODEL, 'HeyGen-Avatar-4'])
    expect((error as Error).message).toBe(
      'The request queue does not know model "HeyGen-Avatar-4" or this key has no access to it (model ids are case-sensitive): GET /api/v1/ie/requestqueue/apikey/models/HeyGen-Avatar-4: HTTP 404: model not found: model "HeyGen-Avatar-4" does not exist or this account cannot use it'
    )
    expect(sim.calls).toHaveLength(2)
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
