// Every paid video reaches a durable home: downloaded the moment it is ready, with fresh links
// when one has expired, under names the artifact service accepts, and in a folder later steps use.
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { createScene, results, script, type Run, type Scene } from './harness.js'

const PR = 42

let scene: Scene
afterEach(async () => scene?.close())

function byFile(run: Run) {
  return Object.fromEntries(results(run).map(r => [r.file as string, r]))
}

describe('download on completion', () => {
  it('keeps every video of a batch whose links expire long before the last video is done', async () => {
    // The queue's clock, stepped by the test: a simulated second is 50 ms of it, and it moves
    // only when the test says, so how fast the action runs cannot change what it is answered.
    let now = Date.now()
    const at = (simulatedSeconds: number) => submitted + simulatedSeconds * 50
    const submitted = now
    scene = await createScene({
      files: {
        'videos/quick-1.md': script('Quick one'),
        'videos/quick-2.md': script('Quick two'),
        'videos/slow.md': script('Slow')
      },
      // Each is queued 1 s. Links live 40 s; the slow video renders for 200, five times as long.
      sim: {
        timeScale: 0.05,
        clock: () => now,
        plan: payload =>
          payload.title === 'Slow'
            ? { processingSeconds: 200, mediaTtlSeconds: 40 }
            : { processingSeconds: 2, mediaTtlSeconds: 40 }
      }
    })
    const { sim } = scene

    const running = scene.run({
      event: scene.pullRequest(PR, ['videos/quick-1.md', 'videos/quick-2.md', 'videos/slow.md'])
    })
    await until(() => sim.billable === 3, running)
    // The quick videos are done: the action fetches each, video and thumbnail.
    now = at(3)
    await until(() => sim.mediaFetches.filter(f => f.status === 200).length === 4, running)
    // The slow one is done, and the quick videos' links expired 158 s ago.
    now = at(201)
    const run = await running

    expect(run.code).toBe(0)
    for (const row of results(run)) {
      expect(row).toMatchObject({ status: 'success', error: null })
      expect(row.video_file).toMatch(/\.mp4$/)
    }
    expect(sim.mediaFetches.map(f => f.status)).toEqual([200, 200, 200, 200, 200, 200])
    const files = [...scene.artifacts.artifacts[0]!.files().keys()].sort()
    expect(files).toEqual([
      'manifest.json',
      'videos/quick-1.jpg',
      'videos/quick-1.mp4',
      'videos/quick-2.jpg',
      'videos/quick-2.mp4',
      'videos/slow.jpg',
      'videos/slow.mp4'
    ])
  })
})

/**
 * Resolves when `condition` holds, or when the action's run ends without it (the test's
 * assertions then say what went wrong). Checked after each turn of the event loop: no deadline.
 */
async function until(condition: () => boolean, run: Promise<unknown>) {
  let ended = false
  const end = () => (ended = true)
  run.then(end, end)
  while (!condition() && !ended) await new Promise(resolve => setTimeout(resolve, 5))
}

describe('fresh links', () => {
  it('reads the request again when storage refuses a link, and keeps the video', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      sim: { resignMedia: true }
    })
    scene.sim.inject({ path: '/media/', status: 403, times: 1 })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(0)
    expect(results(run)[0]).toMatchObject({
      status: 'success',
      error: null,
      video_file: 'videos/intro.mp4',
      thumbnail_file: 'videos/intro.jpg'
    })
    // The refused download, then the same file again through the fresh link.
    const fetches = scene.sim.mediaFetches
    expect(fetches.map(f => f.status).sort()).toEqual([200, 200, 403])
    const refused = fetches.find(f => f.status === 403)!
    expect(fetches.filter(f => f.path === refused.path).map(f => f.status)).toEqual([403, 200])
    expect(scene.artifacts.artifacts[0]!.files().has('videos/intro.mp4')).toBe(true)
  })
})

describe('names the artifact can hold', () => {
  const odd = [
    'videos/standup 10:30.md',
    'videos/say "hi".md',
    'videos/<draft>.md',
    'videos/a|b.md',
    'videos/star*.md',
    'videos/why?.md',
    'videos/carriage\r.md',
    'videos/line\nfeed.md',
    'videos/100%.md'
  ]

  it('uploads every video, whatever characters its path holds, under the same name each run', async () => {
    scene = await createScene({
      files: Object.fromEntries(odd.map((file, i) => [file, script(`Odd ${i}`)]))
    })
    const event = scene.pullRequest(PR, odd)

    const first = await scene.run({ event })
    const second = await scene.run({ event })

    expect(first.code).toBe(0)
    expect(first.outputs['artifact-id']).not.toBe('')
    // A second attempt of the same run replaces the artifact of the first.
    const uploaded = scene.artifacts.artifacts.at(-1)!.files()
    for (const file of odd) {
      const row = byFile(first)[file]!
      expect(row.status).toBe('success')
      expect(row.video_file).toEqual(expect.any(String))
      expect(row.video_file).not.toMatch(/[":<>|*?\r\n]/)
      expect(byFile(second)[file]!.video_file).toBe(row.video_file)
      expect(uploaded.has(row.video_file as string)).toBe(true)
      expect(uploaded.has(row.thumbnail_file as string)).toBe(true)
    }
    expect(byFile(first)['videos/standup 10:30.md']!.video_file).toBe('videos/standup 10%3A30.mp4')
    const manifest = JSON.parse(Buffer.from(uploaded.get('manifest.json')!).toString())
    expect(manifest).toEqual(results(second))
  })
})

describe('the directory output', () => {
  it("names the folder holding the run's videos, thumbnails and manifest", async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro'), 'videos/nested/outro.md': script('Outro') }
    })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md', 'videos/nested/outro.md']),
      inputs: { artifact: 'false' }
    })

    const dir = run.outputs.directory as string
    expect(dir).toBeTruthy()
    const files = (await readdir(dir, { recursive: true }))
      .map(f => f.split(path.sep).join('/'))
      .sort()
    expect(files).toEqual([
      'manifest.json',
      'videos',
      'videos/intro.jpg',
      'videos/intro.mp4',
      'videos/nested',
      'videos/nested/outro.jpg',
      'videos/nested/outro.mp4'
    ])
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(
      results(run)
    )
    expect(scene.artifacts.artifacts).toHaveLength(0)
  })

  it('is empty when no video was made', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md']),
      inputs: { 'dry-run': 'true' }
    })

    expect(run.outputs.directory).toBe('')
  })
})
