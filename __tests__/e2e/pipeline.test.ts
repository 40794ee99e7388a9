// The whole job as a user meets it: a pull request changes a script, the built action runs
// like a runner runs it, and the reviewer gets a comment, a summary, outputs and an artifact.
import { afterEach, describe, expect, it } from '@jest/globals'
import { API_KEY, createScene, everythingVisible, results, type Scene } from './harness.js'

const PR = 42
const INTRO = `---
title: Product intro
---
# Welcome

Hello **team**, this is our [new dashboard](https://example.com/dash).
`

let scene: Scene
afterEach(async () => scene?.close())

function prWithFiles(files: Array<{ filename: string; status: string }>) {
  return scene.pullRequest(PR, files)
}

describe('a pull request that changes a script', () => {
  it('generates the video, comments it, uploads it and sets the outputs', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO, 'README.md': '# repo\n' } })
    const event = prWithFiles([
      { filename: 'videos/intro.md', status: 'added' },
      { filename: 'README.md', status: 'modified' }
    ])

    const run = await scene.run({ event })

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    // What was sent and paid for: exactly one request, with the words to speak and no markup.
    expect(scene.sim.billable).toBe(1)
    const sent = scene.sim.requests[0]!
    expect(sent.model).toBe('heygen-avatar-4')
    expect(sent.payload).toMatchObject({
      title: 'Product intro',
      dimension: { width: 1280, height: 720 },
      caption: false,
      video_inputs: [
        {
          character: { type: 'avatar', avatar_id: 'Daisy-inskirt-20220818' },
          voice: {
            type: 'text',
            voice_id: '2d5b0e6cf36f460aa7fc47e3eee4ba54',
            input_text: 'Welcome. Hello team, this is our new dashboard.'
          }
        }
      ]
    })

    // Outputs of the contract.
    const [result] = results(run)
    expect(result).toMatchObject({
      file: 'videos/intro.md',
      status: 'success',
      request_id: sent.request_id,
      error: null
    })
    expect(result!.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(result!.video_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\//)
    expect(run.outputs['video-urls']).toBe(result!.video_url)
    expect(run.outputs.succeeded).toBe('1')
    expect(run.outputs.failed).toBe('0')

    // One comment, with the marker and a thumbnail linked to the video.
    const comments = scene.github.comments(PR)
    expect(comments).toHaveLength(1)
    const body = comments[0]!.body as string
    expect(body).toContain('<!-- avatar-video-action:default -->')
    expect(body).toContain(`href="${result!.video_url as string}"`.replace(/&/g, '&amp;'))
    expect(body).toContain(sent.request_id)
    expect(run.outputs['comment-url']).toBe(comments[0]!.html_url)

    // The same table in the job summary, without the hidden marker.
    expect(run.summary).toContain('videos/intro.md')
    expect(run.summary).not.toContain('<!-- avatar-video-action:default -->')

    // The artifact: manifest plus the video and thumbnail beside where the script sits.
    expect(scene.artifacts.artifacts).toHaveLength(1)
    const artifact = scene.artifacts.artifacts[0]!
    expect(artifact.name).toBe('avatar-videos')
    expect(run.outputs['artifact-id']).toBe(String(artifact.id))
    const files = artifact.files()
    expect([...files.keys()].sort()).toEqual([
      'manifest.json',
      'videos/intro.jpg',
      'videos/intro.mp4'
    ])
    expect(Buffer.from(files.get('videos/intro.mp4')!).toString('latin1', 4, 8)).toBe('ftyp')
    expect([...files.get('videos/intro.jpg')!.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
    expect(JSON.parse(Buffer.from(files.get('manifest.json')!).toString())).toEqual(results(run))

    // Media is fetched without the key; GitHub saw only requests its API accepts.
    expect(scene.sim.mediaFetches.every(f => !f.authorization)).toBe(true)
    expect(scene.github.violations).toEqual([])
    expect(await everythingVisible(scene, run, PR)).not.toContain(API_KEY)
    expect(run.masked).toContain(API_KEY)
  })

  it('edits the same comment when the workflow runs again', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO } })
    const event = prWithFiles([{ filename: 'videos/intro.md', status: 'modified' }])

    const first = await scene.run({ event })
    const [comment] = scene.github.comments(PR)
    await scene.write({ 'videos/intro.md': `${INTRO}\nOne more sentence.\n` })
    const second = await scene.run({ event })

    expect([first.code, second.code]).toEqual([0, 0])
    const comments = scene.github.comments(PR)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.id).toBe(comment!.id)
    expect(comments[0]!.body).toContain(results(second)[0]!.request_id as string)
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url'])
    expect(scene.github.requests.filter(r => r.method === 'PATCH').length).toBeGreaterThan(0)
  })

  it('shows a failed generation with its reason and fails the step', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ outcome: 'failed', reason: 'avatar Daisy is not available' }) }
    })
    const event = prWithFiles([{ filename: 'videos/intro.md', status: 'added' }])

    const run = await scene.run({ event })

    expect(run.code).toBe(1)
    expect(results(run)[0]).toMatchObject({
      status: 'failed',
      error: 'avatar Daisy is not available',
      video_url: null
    })
    expect(run.outputs.failed).toBe('1')
    expect(run.stdout).toMatch(/::error::1 of 1 scripts did not produce a video/)
    const body = scene.github.comments(PR)[0]!.body as string
    expect(body).toContain('avatar Daisy is not available')
    expect(scene.artifacts.artifacts).toHaveLength(0)
  })

  it('never shows the key, even when the queue echoes it in an error', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ outcome: 'failed', reason: `key ${API_KEY} has no access to Daisy` }) }
    })
    const run = await scene.run({
      event: prWithFiles([{ filename: 'videos/intro.md', status: 'added' }])
    })

    expect(results(run)[0]!.error).toBe('key *** has no access to Daisy')
    // Escaping turns the key's punctuation into entities: look for a part no escaping changes.
    const secretPart = API_KEY.slice(-10)
    expect(await everythingVisible(scene, run, PR)).not.toContain(secretPart)
    expect(scene.github.comments(PR)[0]!.body).toContain('has no access to Daisy')
  })

  it('keeps the step green when failures are allowed', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': INTRO },
      sim: { plan: () => ({ outcome: 'failed', reason: 'quota' }) }
    })
    const run = await scene.run({
      event: prWithFiles([{ filename: 'videos/intro.md', status: 'added' }]),
      inputs: { 'fail-on-error': 'false' }
    })
    expect(run.code).toBe(0)
    expect(run.outputs.failed).toBe('1')
  })

  it('succeeds without submitting or commenting when no script changed', async () => {
    scene = await createScene({ files: { 'README.md': '# repo\n', 'videos/intro.md': INTRO } })
    const run = await scene.run({
      event: prWithFiles([{ filename: 'README.md', status: 'modified' }])
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(0)
    expect(scene.sim.calls).toHaveLength(0)
    expect(scene.github.comments(PR)).toHaveLength(0)
    expect(results(run)).toEqual([])
    expect(run.outputs).toMatchObject({ succeeded: '0', failed: '0', 'comment-url': '' })
  })

  it('refuses to run without an API key, saying how to pass one', async () => {
    scene = await createScene({ files: { 'videos/intro.md': INTRO } })
    const run = await scene.run({
      event: prWithFiles([{ filename: 'videos/intro.md', status: 'added' }]),
      inputs: { 'api-key': '' }
    })

    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::api-key is required/)
    expect(scene.sim.calls).toHaveLength(0)
  })

  it('does not generate removed scripts, and says they were removed', async () => {
    scene = await createScene({ files: { 'videos/new.md': 'Fresh words.\n' } })
    const run = await scene.run({
      event: prWithFiles([
        { filename: 'videos/old.md', status: 'removed' },
        { filename: 'videos/new.md', status: 'added' }
      ])
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    expect(results(run).map(r => r.file)).toEqual(['videos/new.md'])
    expect(scene.github.comments(PR)[0]!.body).toMatch(
      /Removed, not generated: ` videos\/old\.md `/
    )
  })
})
