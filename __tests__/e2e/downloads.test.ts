// A media host is the queue's word, not the action's: whatever it streams, wherever it redirects,
// however slowly it answers, a download ends within bounds, names no signed link in the log, and
// the video it failed to keep stays in the results by its request id and links.
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { createScene, results, script, type Run, type Scene } from './harness.js'

const PR = 42

let scene: Scene
afterEach(async () => scene?.close())

/** A scene with one script whose request succeeds at once. */
async function oneVideo(): Promise<Scene> {
  return createScene({
    files: { 'videos/intro.md': script('Intro') },
    sim: { plan: () => ({ immediate: true }) }
  })
}

function videoFetches() {
  return scene.sim.mediaFetches.filter(f => f.path.endsWith('/video.mp4'))
}

/**
 * The script's row kept what was paid for: the request id and the queue's links, in the results,
 * the manifest and the comment.
 */
async function expectPaidForKept(run: Run) {
  const [row] = results(run)
  const request = scene.sim.requests[0]!
  expect(row).toMatchObject({
    status: 'success',
    request_id: request.request_id,
    video_url: expect.stringContaining(`/media/${request.request_id}/video.mp4?`),
    media_urls: [expect.stringContaining(`/media/${request.request_id}/video.mp4?`)],
    video_file: null,
    thumbnail_file: 'videos/intro.jpg'
  })
  const manifest = await readFile(path.join(run.outputs.directory!, 'manifest.json'), 'utf8')
  expect(JSON.parse(manifest)).toEqual(results(run))
  expect(scene.github.comments(PR)[0]?.body).toContain(`/media/${request.request_id}/video.mp4?`)
}

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(f => f.split('\\').join('/')).sort()
}

describe('a media host that would hold the run', () => {
  it('stops a video that never ends at max-download-size, and keeps no part of it', async () => {
    scene = await oneVideo()
    scene.sim.inject({ path: '/video.mp4', endless: true, times: Infinity })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md']),
      inputs: { 'max-download-size': '1MiB' }
    })

    expect(run.code).toBe(0)
    await expectPaidForKept(run)
    expect(results(run)[0]!.error).toBe(
      'Generated, but not saved to the artifact (video: larger than max-download-size (1 MiB); not kept)'
    )
    // Cut by the action, once: a file too large stays too large with a fresh link.
    expect(videoFetches()).toEqual([expect.objectContaining({ status: 200, hungUp: true })])
    expect(await filesIn(run.outputs.directory!)).toEqual([
      'manifest.json',
      'videos',
      'videos/intro.jpg'
    ])
    expect([...scene.artifacts.artifacts[0]!.files().keys()].sort()).toEqual([
      'manifest.json',
      'videos/intro.jpg'
    ])
  })

  it('drops a host that drips the video, once a stall window brings too little', async () => {
    scene = await oneVideo()
    scene.sim.inject({ path: '/video.mp4', dripMs: 50, times: Infinity })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md']),
      env: { AVATAR_DOWNLOAD_STALL_SECONDS: '1' }
    })

    expect(run.code).toBe(0)
    await expectPaidForKept(run)
    expect(results(run)[0]!.error).toBe(
      'Generated, but not saved to the artifact (video: stalled: less than 64 KiB arrived in 1 s)'
    )
    // Tried again with fresh links, as a cut-off download is; each time the action hung up.
    expect(videoFetches().length).toBeGreaterThan(0)
    for (const fetch of videoFetches()) expect(fetch.hungUp).toBe(true)
  })

  it('stops a download still under way when timeout passes, and the run ends', async () => {
    scene = await oneVideo()
    // Storage answers nothing for ten minutes.
    scene.sim.inject({ path: '/video.mp4', delayMs: 600_000, times: Infinity })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md']),
      inputs: { timeout: '6' }
    })

    expect(run.code).toBe(0)
    await expectPaidForKept(run)
    expect(results(run)[0]!.error).toBe(
      'Generated, but not saved to the artifact (video: stopped: timeout (6 s) passed before the download finished)'
    )
  })
})

describe('redirects of a media link', () => {
  it.each([
    ['another host over http', { redirectTo: 'http://0.0.0.0:PORT' }],
    [
      'a metadata service',
      { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/' } }
    ],
    ['another scheme', { status: 302, headers: { location: 'file:///etc/hostname' } }]
  ])('are refused at once when they lead to %s', async (_, fault) => {
    scene = await oneVideo()
    const port = new URL(scene.sim.url).port
    const redirectTo = 'redirectTo' in fault ? fault.redirectTo.replace('PORT', port) : undefined
    scene.sim.inject({ ...fault, redirectTo, path: '/video.mp4' })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(0)
    await expectPaidForKept(run)
    expect(results(run)[0]!.error).toBe(
      'Generated, but not saved to the artifact (video: HTTP 302: refused a redirect to a URL that is not https (nor http on this machine))'
    )
    // Final at once: no second try, and nothing fetched where the redirect pointed.
    expect(videoFetches()).toEqual([expect.objectContaining({ status: 302 })])
  })

  it('are followed while each hop passes the rule the link passed', async () => {
    scene = await oneVideo()
    scene.sim.inject({ path: '/video.mp4', redirectTo: scene.sim.url })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(results(run)[0]).toMatchObject({ error: null, video_file: 'videos/intro.mp4' })
    expect(videoFetches().map(f => f.status)).toEqual([302, 200])
  })
})

describe('the debug log', () => {
  it('holds no signed media link, even when a link is refused and renewed', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      sim: { resignMedia: true }
    })
    scene.sim.inject({ path: '/media/', status: 403, times: 1 })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md']),
      env: { RUNNER_DEBUG: '1' }
    })

    expect(run.code).toBe(0)
    expect(results(run)[0]).toMatchObject({ status: 'success', video_file: 'videos/intro.mp4' })
    const log = run.stdout + run.stderr
    expect(log).toContain('::debug::')
    expect(log).not.toContain('/media/')
    const [row] = results(run)
    for (const link of [row!.video_url, row!.thumbnail_url]) {
      const signature = new URL(link as string).searchParams.get('sig')
      expect(signature).toBeTruthy()
      expect(log).not.toContain(signature)
    }
  })
})

describe('max-download-size', () => {
  it('is refused before anything is paid for when it is not a size', async () => {
    scene = await oneVideo()

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md']),
      inputs: { 'max-download-size': '2 gigs' }
    })

    expect(run.code).toBe(1)
    expect(run.annotations.map(a => a.message)).toEqual([
      expect.stringMatching(/^max-download-size must be a size from 1 MiB to 64 GiB/)
    ])
    expect(scene.sim.calls).toEqual([])
  })
})
