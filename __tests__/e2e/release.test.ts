// On a merge, the regenerated demo videos get a stable home: the assets of one GitHub release, at
// addresses a team can put in its docs, with an unchanged video never uploaded twice.
import { afterEach, describe, expect, it } from '@jest/globals'
import { mergeGroupEvent, pushEvent, workflowDispatchEvent } from '../../stand-ins/events.js'
import { assetNames } from '../../src/publish/names.js'
import { RELEASE_MARKER } from '../../src/publish/release.js'
import { createScene, results, type Scene, type Run } from './harness.js'

const BEFORE = 'b'.repeat(40)
const AFTER = 'c'.repeat(40)
const TAG = 'avatar-videos'
const DOWNLOAD = `https://github.com/Codertocat/Hello-World/releases/download/${TAG}`

const script = (title: string, words = 'Hello team, this is our new dashboard.') =>
  `---\ntitle: ${JSON.stringify(title)}\n---\n${words}\n`

let scene: Scene
afterEach(async () => scene?.close())

/** A push of `files` to `ref`: the repository's default branch, master, unless it says. */
function push(files: string[], ref = 'refs/heads/master') {
  scene.github.setCompare(BEFORE, AFTER, {
    files: files.map(filename => ({ filename, status: 'modified' }))
  })
  return { name: 'push', payload: pushEvent({ before: BEFORE, after: AFTER, ref }) }
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
    expect(intro.video).toMatch(/^videos-intro-[0-9a-f]{16}\.mp4$/)
    expect(release!.body).toContain(RELEASE_MARKER)
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
      body: RELEASE_MARKER,
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

/** Its sha256 begins with the same 8 hex digits as that of videos/intro.md (b684c249). */
const COLLIDER = 'videos/intro~($ [{)$.md'
/** The description of the releases versions up to 0.1.0 created, word for word. */
const EARLIER_BODY =
  'Avatar videos, published by avatar-video-action on every merge. The manifest.json asset lists which script each video belongs to.'

const annotated = (run: Run, level: string) =>
  run.annotations.filter(a => a.level === level).map(a => a.message)

describe('release asset names', () => {
  it("gives a path whose first 8 hash digits are another's its own name: no video replaces another", async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const first = await scene.run({ event: push(['videos/intro.md']), inputs: { release: TAG } })
    expect(first.code).toBe(0)
    const intro = scene.github.releases()[0]!.assets.find(a => a.name.endsWith('.mp4'))!
    await scene.write({ [COLLIDER]: script('Not the intro', 'Something else entirely.') })

    const second = await scene.run({ event: push([COLLIDER]), inputs: { release: TAG } })

    expect(second.code).toBe(0)
    const assets = scene.github.releases()[0]!.assets
    // The intro's video is still the one asset at its address, as the first push left it.
    expect(assets.filter(a => a.name === intro.name)).toEqual([
      expect.objectContaining({ id: intro.id, sha256: intro.sha256 })
    ])
    expect(byFile(second)[COLLIDER]!.release_url).toBe(`${DOWNLOAD}/${assetNames(COLLIDER).video}`)
    expect(byFile(second)[COLLIDER]!.release_url).not.toBe(
      byFile(first)['videos/intro.md']!.release_url
    )
    expect(assets).toHaveLength(5)
  })

  it('keeps the addresses of a release an earlier version made, and gives new scripts their own', async () => {
    scene = await createScene({
      files: {
        'videos/intro.md': script('Intro', 'A new intro, with new words.'),
        [COLLIDER]: script('Not the intro', 'Something else entirely.')
      }
    })
    // What version 0.1.0 left: 8-digit names, and a manifest that says whose they are.
    const old = assetNames('videos/intro.md', '.jpg', 8)
    scene.github.addRelease({
      tag: TAG,
      body: EARLIER_BODY,
      make_latest: 'false',
      assets: [
        { name: old.video, data: 'the old intro' },
        { name: old.thumbnail, data: 'its thumbnail' },
        {
          name: 'manifest.json',
          data: JSON.stringify([
            {
              file: 'videos/intro.md',
              hash: 'f'.repeat(64),
              request_id: 'req-old',
              duration: 3,
              video: old.video,
              thumbnail: old.thumbnail,
              video_url: `${DOWNLOAD}/${old.video}`,
              thumbnail_url: `${DOWNLOAD}/${old.thumbnail}`
            }
          ])
        }
      ]
    })

    const run = await scene.run({
      event: push(['videos/intro.md', COLLIDER]),
      inputs: { release: TAG }
    })

    expect(run.code).toBe(0)
    // The changed intro replaces its video at the address the docs already link to.
    expect(byFile(run)['videos/intro.md']!.release_url).toBe(`${DOWNLOAD}/${old.video}`)
    const collider = assetNames(COLLIDER)
    expect(byFile(run)[COLLIDER]!.release_url).toBe(`${DOWNLOAD}/${collider.video}`)
    const [release] = scene.github.releases()
    expect(release!.assets.map(a => a.name).sort()).toEqual(
      [old.video, old.thumbnail, collider.video, collider.thumbnail, 'manifest.json'].sort()
    )
    const intro = release!.assets.find(a => a.name === old.video)!
    expect(Buffer.from(scene.github.assetBytes(intro.id)!).toString('latin1', 4, 8)).toBe('ftyp')
    expect(scene.github.violations).toEqual([])
  })
})

describe('the release the action writes into', () => {
  it('refuses a release it did not create, before uploading anything, and keeps the videos elsewhere', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.github.addRelease({
      tag: 'v1.0.0',
      body: 'The first stable release.',
      assets: [
        { name: 'app-linux-x64.tar.gz', data: 'a binary' },
        { name: 'manifest.json', data: '{"version":"1.0.0"}' }
      ]
    })
    const before = scene.github.releases()

    const run = await scene.run({
      event: push(['videos/intro.md']),
      inputs: { release: 'v1.0.0' }
    })

    expect(run.code).toBe(1)
    expect(scene.github.releases()).toEqual(before)
    const writes = scene.github.requests.filter(r => r.host === 'uploads' || r.method !== 'GET')
    expect(writes).toEqual([])
    const errors = annotated(run, 'error')
    expect(errors).toEqual([
      expect.stringContaining(
        'The release v1.0.0 was not created by this action, which writes only into its own releases: nothing was uploaded to it.'
      )
    ])
    expect(errors[0]).toContain(`add the line ${RELEASE_MARKER} to its description`)
    expect(results(run)[0]).toMatchObject({ status: 'success', release_url: null })
    expect(scene.artifacts.artifacts).toHaveLength(1)
    expect(run.summary).toContain('videos/intro.md')
  })

  it('writes into a release a maintainer marked for it', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    // Edited on github.com: the description has Windows line ends.
    scene.github.addRelease({
      tag: 'v1.0.0',
      body: `The first stable release.\r\n\r\n${RELEASE_MARKER}\r\n`,
      assets: [{ name: 'app-linux-x64.tar.gz', data: 'a binary' }]
    })

    const run = await scene.run({
      event: push(['videos/intro.md']),
      inputs: { release: 'v1.0.0' }
    })

    expect(run.code).toBe(0)
    const intro = assetNames('videos/intro.md')
    expect(
      scene.github
        .releases()[0]!
        .assets.map(a => a.name)
        .sort()
    ).toEqual(['app-linux-x64.tar.gz', intro.video, intro.thumbnail, 'manifest.json'].sort())
  })
})

describe('which runs publish', () => {
  it('publishes from the default branch and tags, and another branch only when release-branches lists it', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const url = `${DOWNLOAD}/${assetNames('videos/intro.md').video}`

    const feature = await scene.run({
      event: push(['videos/intro.md'], 'refs/heads/feature'),
      inputs: { release: TAG }
    })

    expect(feature.code).toBe(0)
    expect(scene.github.releases()).toEqual([])
    expect(results(feature)[0]).toMatchObject({ status: 'success', release_url: null })
    expect(annotated(feature, 'notice')).toContain(
      'release: not published from the branch feature: only the default branch (master) and tags publish; list other branches in release-branches'
    )

    const tag = await scene.run({
      event: push(['videos/intro.md'], 'refs/tags/v2.0.0'),
      inputs: { release: TAG }
    })
    expect(results(tag)[0]!.release_url).toBe(url)

    const listed = await scene.run({
      event: push(['videos/intro.md'], 'refs/heads/release/2.x'),
      inputs: { release: TAG, 'release-branches': 'master, release/*' }
    })
    expect(results(listed)[0]!.release_url).toBe(url)
  })

  it('never publishes from a merge group, whose merge may not land', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.github.setCompare(BEFORE, AFTER, {
      files: [{ filename: 'videos/intro.md', status: 'modified' }]
    })

    const run = await scene.run({
      event: { name: 'merge_group', payload: mergeGroupEvent({ baseSha: BEFORE, headSha: AFTER }) },
      inputs: { release: TAG, comment: 'false' }
    })

    expect(run.code).toBe(0)
    expect(scene.github.releases()).toEqual([])
    expect(results(run)[0]).toMatchObject({ status: 'success', release_url: null })
    expect(annotated(run, 'notice')).toContain(
      'release: not published from a merge_group run, whose merge may not land; the push to the branch after it publishes'
    )
  })
})
