// The minutes budget as a user meets it: max-minutes caps what one run submits, by the scripts'
// estimated spoken minutes (150 words a minute); reused videos are free; the comment and the job
// summary show the estimate and the cap; a cap that is a typo is refused before anything is paid.
import { afterEach, describe, expect, it } from '@jest/globals'
import { assignShards } from '../../src/shard/split.js'
import { createScene, results, script, type Run, type Scene } from './harness.js'

const PR = 31

/** `minutes` of speech at 150 words a minute. */
const words = (minutes: number) =>
  Array(Math.round(minutes * 150))
    .fill('word')
    .join(' ')

/** Scripts of 1, 2 and 0.5 estimated minutes, in the selection's order (by path). */
const FILES = {
  'videos/a.md': script('First', words(1)),
  'videos/b.md': script('Second', words(2)),
  'videos/c.md': script('Third', words(0.5))
}

let scene: Scene
afterEach(async () => scene?.close())

function byFile(run: Run) {
  return Object.fromEntries(results(run).map(r => [r.file as string, r]))
}

function comment(): string {
  return scene.github.comments(PR)[0]?.body ?? ''
}

describe('max-minutes', () => {
  it('submits the scripts that fit, in order, and skips the rest with a note naming the estimates and the cap', async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({
      event: scene.pullRequest(PR, Object.keys(FILES)),
      inputs: { 'max-minutes': '2.5' }
    })

    expect(run.code).toBe(0)
    // Only the first fits: 1 + 2 min passes the cap, and the budget stops there, so the shorter
    // third script, which would fit alone, is not submitted either (the order stays predictable).
    expect(scene.sim.billable).toBe(1)
    const rows = byFile(run)
    expect(rows['videos/a.md']).toMatchObject({ status: 'success' })
    expect(rows['videos/b.md']).toMatchObject({
      status: 'skipped',
      request_id: null,
      error:
        'over max-minutes (≈ 2.0 min; run ≈ 3.5 min estimated, cap 2.5 min): not submitted. Raise max-minutes, or run the workflow manually (workflow_dispatch), to render it'
    })
    expect(rows['videos/c.md']).toMatchObject({
      status: 'skipped',
      error: expect.stringMatching(
        /^over max-minutes \(≈ 0\.5 min; run ≈ 3\.5 min estimated, cap 2\.5 min\)/
      )
    })
    expect(run.outputs.succeeded).toBe('1')
    const line =
      '🧮 ≈ 3.5 min estimated for 3 scripts · cap 2.5 min: 2 scripts past it skipped. Raise `max-minutes`, or run the workflow manually (`workflow_dispatch`), to render them'
    expect(comment()).toContain(line)
    expect(run.summary).toContain(line)
    expect(comment()).toContain('⏭️ 2 skipped')
    expect(run.annotations.map(a => a.message)).toContainEqual(
      expect.stringMatching(/^2 of 3 scripts to render are past max-minutes and not submitted/)
    )
  })

  it("leaves the scripts past the cap out of what the queue's rate limit stopped", async () => {
    scene = await createScene({ files: FILES, sim: { rateLimit: { requests: 1 } } })

    // a and b fit a 3-minute cap, c does not; the queue takes a, then refuses b for its limit.
    const run = await scene.run({
      event: scene.pullRequest(PR, Object.keys(FILES)),
      inputs: { 'max-minutes': '3', 'max-concurrency': '1' }
    })

    expect(run.code).toBe(1)
    expect(scene.sim.billable).toBe(1)
    expect(results(run).map(r => [r.file, r.status, String(r.error).slice(0, 20)])).toEqual([
      ['videos/a.md', 'success', 'null'],
      ['videos/b.md', 'skipped', 'not submitted: the r'],
      ['videos/c.md', 'skipped', 'over max-minutes (≈ ']
    ])
    const failed = run.annotations.filter(a => a.level === 'error').map(a => a.message)
    expect(failed).toEqual([
      expect.stringMatching(/: 1 script was not submitted, and the next run submits them$/)
    ])
  })

  it('counts reused videos for nothing', async () => {
    scene = await createScene({ files: { 'videos/a.md': FILES['videos/a.md'] } })
    await scene.run({ event: scene.pullRequest(PR, ['videos/a.md']) })
    expect(scene.sim.billable).toBe(1)
    await scene.write({ 'videos/b.md': FILES['videos/b.md'] })

    // a (1 min) is reused from the first run: b (2 min) alone fits a 2-minute cap.
    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/a.md', 'videos/b.md']),
      inputs: { 'max-minutes': '2' }
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(2)
    const rows = byFile(run)
    expect(rows['videos/a.md']).toMatchObject({ status: 'reused', error: null })
    expect(rows['videos/b.md']).toMatchObject({ status: 'success', error: null })
    const line = '🧮 ≈ 2.0 min estimated for 1 script · cap 2 min'
    expect(comment()).toContain(line)
    expect(run.summary).toContain(line)
    expect(comment()).not.toContain('past it skipped')
  })

  it('renders a reused video found gone anew only within the cap', async () => {
    scene = await createScene({ files: { 'videos/a.md': FILES['videos/a.md'] } })
    await scene.run({ event: scene.pullRequest(PR, ['videos/a.md']) })
    await scene.write({ 'videos/b.md': FILES['videos/b.md'] })
    // The queue has since dropped a's video: the run finds that out only when it asks.
    scene.sim.forget(scene.sim.requests[0]!.request_id)

    // b (2 min) fits the 2-minute cap, counting a as reused; a, gone, would pass it.
    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/a.md', 'videos/b.md']),
      inputs: { 'max-minutes': '2' }
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(2)
    const rows = byFile(run)
    expect(rows['videos/b.md']).toMatchObject({ status: 'success', error: null })
    expect(rows['videos/a.md']).toMatchObject({
      status: 'skipped',
      error:
        'its earlier video is not usable, and rendering it anew (≈ 1.0 min) would pass max-minutes (cap 2 min): not submitted. Raise max-minutes, or run the workflow manually (workflow_dispatch), to render it'
    })
  })

  it('shows the estimate without a cap, and skips nothing', async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({ event: scene.pullRequest(PR, Object.keys(FILES)) })

    expect(scene.sim.billable).toBe(3)
    expect(comment()).toContain('🧮 ≈ 3.5 min estimated for 3 scripts\n')
    expect(run.summary).toContain('🧮 ≈ 3.5 min estimated for 3 scripts\n')
  })

  it.each(['0', '-5', 'ten', 'NaN', 'Infinity'])(
    'refuses %p before anything is submitted',
    async value => {
      scene = await createScene({ files: FILES })

      const run = await scene.run({
        event: scene.pullRequest(PR, Object.keys(FILES)),
        inputs: { 'max-minutes': value }
      })

      expect(run.code).toBe(1)
      expect(run.annotations.map(a => a.message)).toEqual([
        `max-minutes must be a positive number of minutes, such as 10 or 2.5, written in decimal; leave it empty for no cap (got "${value}")`
      ])
      expect(scene.sim.calls).toEqual([])
      expect(scene.sim.billable).toBe(0)
    }
  )

  it('is estimated for the whole selection by a dry run, which submits nothing', async () => {
    scene = await createScene({ files: FILES })

    const run = await scene.run({
      event: scene.pullRequest(PR, Object.keys(FILES)),
      inputs: { 'dry-run': 'true', 'max-minutes': '2.5' }
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(0)
    const line =
      '🧮 ≈ 3.5 min estimated for 3 scripts, before reuse · cap 2.5 min: a run would leave 2 scripts past it unsubmitted (fewer when videos are reused)'
    expect(comment()).toContain(line)
    expect(run.summary).toContain(line)
    expect(run.stdout).toContain(
      'Estimate: ≈ 3.5 min estimated for 3 scripts, before reuse · cap 2.5 min'
    )
  })

  it('caps each job of a matrix on its own, and the aggregate job shows the skipped scripts', async () => {
    const files = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e', 'f'].map(name => [`videos/${name}.md`, script(name, words(1))])
    )
    scene = await createScene({ files })
    const event = scene.pullRequest(PR, Object.keys(files))
    const inputs = { 'max-minutes': '1' }
    const shards = await Promise.all(
      [1, 2].map(index =>
        scene.run({
          event,
          inputs: { ...inputs, shard: `${index}/2` },
          env: scene.artifacts.newJob().env
        })
      )
    )
    const aggregate = await scene.run({
      event,
      inputs: { ...inputs, aggregate: 'true' },
      env: scene.artifacts.newJob().env
    })

    // Each shard submits the first of its own scripts: 1 min each, under its own 1-minute cap.
    const onShard = assignShards(Object.keys(files).sort(), 2)
    const first = [1, 2].flatMap(shard => {
      const own = Object.keys(files)
        .sort()
        .filter(file => onShard.get(file) === shard)
      return own.slice(0, 1)
    })
    expect(shards.map(run => run.code)).toEqual([0, 0])
    expect(scene.sim.billable).toBe(first.length)
    expect(aggregate.code).toBe(0)
    for (const row of results(aggregate)) {
      if (first.includes(row.file as string)) expect(row).toMatchObject({ status: 'success' })
      else
        expect(row).toMatchObject({
          status: 'skipped',
          error: expect.stringMatching(
            /^over max-minutes \(≈ 1\.0 min; run ≈ \d\.0 min estimated, cap 1 min\)/
          )
        })
    }
    expect(comment()).toContain(`⏭️ ${6 - first.length} skipped`)
    // The header adds up the shards' estimates; the cap was each shard's.
    const line = `🧮 ≈ 6.0 min estimated for 6 scripts · cap 1 min per shard: ${6 - first.length} scripts past it skipped.`
    expect(comment()).toContain(line)
    expect(aggregate.summary).toContain(line)
  })
})
