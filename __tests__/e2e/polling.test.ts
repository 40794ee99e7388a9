// How the built action polls the request queue, whose calls count against the organisation's
// rate limit: one read of the request list for every request it shows, by id only the last.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createScene, results, type Scene } from './harness.js'

const PR = 22
const API = '/api/v1/ie/requestqueue/apikey'
const FILES = ['a', 'b', 'c', 'd', 'e'].map(name => `videos/${name}.md`)

let scene: Scene
afterEach(async () => scene?.close())

describe('polling many requests', () => {
  it('reads them all from the request list, and by id only the last one left', async () => {
    scene = await createScene({
      files: Object.fromEntries(FILES.map((file, i) => [file, `Part ${i + 1} of the tour.\n`])),
      // Rendering 40 to 80 simulated seconds (2 to 4 s), one poll interval being 1 s.
      sim: {
        plan: payload => ({ processingSeconds: 40 + 10 * FILES.indexOf(String(payload.title)) })
      }
    })

    const run = await scene.run({
      event: scene.pullRequest(PR, FILES, { action: 'opened', authorAssociation: 'OWNER' })
    })

    expect(run.code).toBe(0)
    expect(results(run).map(r => r.status)).toEqual(FILES.map(() => 'success'))
    expect(scene.sim.billable).toBe(FILES.length)
    const lists = scene.sim.calls.filter(c => c.method === 'GET' && c.path === `${API}/requests`)
    // The reuse lookup, then the polls.
    expect(lists.length).toBeGreaterThan(1)
    // A request may be read by id before the others' submissions land, and the last one alone
    // is: no other is polled by id beyond that.
    const readById = scene.sim.requests.filter(r => r.polls > 3)
    expect(readById.length).toBeLessThanOrEqual(1)
  })
})
