// On a merge, the regenerated demo videos get a stable home: the assets of one GitHub release, at
// addresses a team can put in its docs, with an unchanged video never uploaded twice.
import { afterEach, describe, expect, it } from '@jest/globals'
import { pushEvent, workflowDispatchEvent } from '../../stand-ins/events.js'
import { assetNames } from '../../src/publish/names.js'
import { createScene, results, type Scene } from './harness.js'

const BEFORE = 'b'.repeat(40)
const AFTER = 'c'.repeat(40)
const TAG = 'avatar-videos'
const DOWNLOAD = `https://github.com/Codertocat/Hello-World/releases/download/${TAG}`

const script = (title: string, words = 'Hello team, this is our new dashboard.') =>
  `---\ntitle: ${JSON.stringify(title)}\n---\n${words}\n`

let scene: Scene
afterEach(async () => scene?.close())

type Run = Awaited<ReturnType<Scene['run']>>

function push(files: string[]) {
  scene.github.setCompare(BEFORE, AFTER, {
    files: files.map(filename => ({ filename, status: 'modified' }))
  })
  return {
    name: 'push',
    payload: pushEvent({ before: BEFORE, after: AFTER, ref: 'refs/heads/main' })
  }
}

function uploads(): string[] {
  return scene.github.requests
    .filter(r => r.host === 'uploads' && r.method === 'POST')
    .map(r => r.query.name as string)
}

function byFile(run: Run) {
  return Object.fromEntries(results(run).map(r => [r.file as string, r]))
}

describe('publishing to a release on merge', () => {
  it('creates the release, never as latest, with each video at a stable address', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro'), 'videos/product/tour.md': script('Tour') }
    })

    const run = await scene.run({
      event: push(['videos/intro.md', 'videos/product/tour.md']),
      inputs: { release: TAG }
    })

    expect(run.code).toBe(0)
    const [release] = scene.github.releases()
    expect(release).toMatchObject({ tag: TAG, latest: false })
    const intro = assetNames('videos/intro.md')
    const tour = assetNames('videos/product/tour.md')
    expect(release!.assets.map(a => a.name).sort()).toEqual(
      [intro.video, intro.thumbnail, tour.video, tour.thumbnail, 'manifest.json'].sort()
    )
    expect(intro.video).toMatch(/^videos-intro-[0-9a-f]{8}\.mp4$/)
    expect(byFile(run)['videos/intro.md']!.release_url).toBe(`${DOWNLOAD}/${intro.video}`)
    expect(run.outputs['release-urls']!.split('\n').sort()).toEqual(
      [`${DOWNLOAD}/${intro.video}`, `${DOWNLOAD}/${tour.video}`].sort()
    )
    expect(run.summary).toContain(`${DOWNLOAD}/${tour.video}`)
    const video = release!.assets.find(a => a.name === intro.video)!
    expect(video.content_type).toBe('video/mp4')
    expect(Buffer.from(scene.github.assetBytes(video.id)!).toString('latin1', 4, 8)).toBe('ftyp')
    const manifest = JSON.parse(
      Buffer.from(
        scene.github.assetBytes(release!.assets.find(a => a.name === 'manifest.json')!.id)!
      ).toString()
    )
    expect(manifest.map((e: { file: string }) => e.file)).toEqual([
      'videos/intro.md',
      'videos/product/tour.md'
    ])
    expect(scene.github.violations).toEqual([])
  })

  it('uploads only the video that changed, keeping the others and their addresses', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro'), 'videos/outro.md': script('Outro') }
    })
    const manual = { name: 'workflow_dispatch', payload: workflowDispatchEvent() }
    const first = await scene.run({ event: manual, inputs: { release: TAG } })
    const firstUploads = uploads().length
    await scene.write({ 'videos/outro.md': script('Outro', 'Thanks for watching, and see you.') })

    const second = await scene.run({ event: push(['videos/outro.md']), inputs: { release: TAG } })

    expect(second.code).toBe(0)
    const outro = assetNames('videos/outro.md')
    // The changed video and its thumbnail, then the manifest: nothing else.
    expect(uploads().slice(firstUploads).sort()).toEqual(
      [outro.video, outro.thumbnail, 'manifest.json'].sort()
    )
    const [release] = scene.github.releases()
    expect(release!.assets).toHaveLength(5)
    expect(byFile(second)['videos/outro.md']!.release_url).toBe(
      byFile(first)['videos/outro.md']!.release_url
    )
    // A manual run over everything again uploads nothing but the manifest.
    const third = await scene.run({ event: manual, inputs: { release: TAG } })
    expect(third.code).toBe(0)
    expect(uploads().slice(firstUploads + 3)).toEqual(['manifest.json'])
    expect(third.stdout).toContain(`videos/intro.md: unchanged in release ${TAG}`)
    expect(scene.github.violations).toEqual([])
  })

  it('never publishes from a pull request', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })

    const run = await scene.run({
      event: scene.pullRequest(42, ['videos/intro.md']),
      inputs: { release: TAG }
    })

    expect(run.code).toBe(0)
    expect(scene.github.releases()).toEqual([])
    expect(run.outputs['release-urls']).toBe('')
    expect(results(run)[0]!.release_url).toBeNull()
  })

  it('names the missing permission once, and still publishes everything else', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      github: { readOnly: true }
    })

    const run = await scene.run({ event: push(['videos/intro.md']), inputs: { release: TAG } })

    expect(run.code).toBe(1)
    const errors = run.annotations.filter(a => a.level === 'error').map(a => a.message)
    expect(errors).toEqual([expect.stringMatching(/^Creating the release avatar-videos: HTTP 403/)])
    expect(errors[0]).toContain('The token needs `contents: write`')
    expect(results(run)[0]).toMatchObject({ status: 'success', release_url: null })
    expect(scene.artifacts.artifacts).toHaveLength(1)
    expect(run.summary).toContain('videos/intro.md')
  })

  it('warns, and publishes nothing more, when the release is full', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.github.addRelease({
      tag: TAG,
      make_latest: 'false',
      assets: Array.from({ length: 999 }, (_, i) => ({ name: `old-${i}.txt`, data: 'x' }))
    })

    const run = await scene.run({ event: push(['videos/intro.md']), inputs: { release: TAG } })

    const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /videos\/intro\.md: not published, the release avatar-videos already holds 999 of the 1000 assets GitHub allows/
      )
    )
    expect(results(run)[0]).toMatchObject({ status: 'success', release_url: null })
  })
})
