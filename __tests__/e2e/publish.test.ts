// What a reviewer and a workflow get from a run: one sticky comment per key that only the
// action's own identity edits, live progress while videos render, an artifact that survives an
// expired link or a re-run, and outputs even when the step fails.
import { afterEach, describe, expect, it } from '@jest/globals'
import { encodeState } from '../../src/publish/state.js'
import { loadScript } from '../../src/script/index.js'
import { createScene, results, type Scene } from './harness.js'

const PR = 42
const BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
const MARKER = '<!-- avatar-video-action:default -->'
const OUTPUTS = [
  'results',
  'video-urls',
  'succeeded',
  'failed',
  'comment-url',
  'artifact-id',
  'directory',
  'release-urls'
]

const script = (title: string, words = 'Hello team, this is our new dashboard.') =>
  `---\ntitle: ${title}\n---\n${words}\n`

let scene: Scene
afterEach(async () => scene?.close())

function prAdding(...files: string[]) {
  return scene.pullRequest(PR, files)
}

/** The hash the action will compute for a script of the scene, as a forger would. */
async function hashOf(file: string): Promise<string> {
  const outcome = await loadScript(scene.workspace, file, {
    model: 'heygen-avatar-4',
    avatarId: 'Daisy-inskirt-20220818',
    voiceId: '2d5b0e6cf36f460aa7fc47e3eee4ba54',
    dimension: '720p',
    caption: false
  })
  if (!outcome.ok) throw new Error(`${file} is not valid`)
  return outcome.request.hash
}

/** Markdown text as a reader sees it: escaped punctuation back to itself. */
function plain(markdown: string): string {
  return markdown.replace(/&#(\d+);\u200D?/g, (_, code: string) =>
    String.fromCharCode(Number(code))
  )
}

/** Comment bodies the action sent, oldest first: the creation and every edit. */
function writtenBodies(): string[] {
  return scene.github.requests
    .filter(r => (r.method === 'POST' || r.method === 'PATCH') && /\/comments/.test(r.path))
    .map(r => (r.body as { body: string }).body)
}

describe('the sticky comment', () => {
  it('never edits a comment someone else wrote with the marker, nor trusts its hidden state', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const event = prAdding('videos/intro.md')
    const forged = `${MARKER}\nLooks legit.\n${encodeState([
      {
        file: 'videos/intro.md',
        hash: await hashOf('videos/intro.md'),
        request_id: 'req-forged',
        status: 'success',
        video_url: 'https://evil.example/video.mp4',
        thumbnail_url: 'https://evil.example/thumb.jpg',
        duration: 3
      }
    ])}`
    const mallory = scene.github.addComment(PR, {
      body: forged,
      user: { login: 'mallory', id: 666, type: 'User' }
    })

    const run = await scene.run({ event })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(1)
    expect(results(run)[0]).toMatchObject({ status: 'success' })
    expect(JSON.stringify(results(run))).not.toContain('evil.example')
    const comments = scene.github.comments(PR)
    expect(comments).toHaveLength(2)
    expect(comments[0]).toMatchObject({ id: mallory.id, body: forged })
    expect(comments[1]!.user!.login).toBe(BOT.login)
    expect(run.outputs['comment-url']).toBe(comments[1]!.html_url)
    expect(scene.github.violations).toEqual([])
  })

  it('writes a new comment when the earlier one was deleted', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const event = prAdding('videos/intro.md')
    await scene.run({ event })
    const [first] = scene.github.comments(PR)
    scene.github.deleteComment(first!.id)

    const again = await scene.run({ event })

    expect(again.code).toBe(0)
    const comments = scene.github.comments(PR)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.id).not.toBe(first!.id)
    expect(comments[0]!.body).toContain(MARKER)
    expect(again.outputs['comment-url']).toBe(comments[0]!.html_url)
    expect(scene.github.violations).toEqual([])
  })

  it('keeps one comment per comment-key, each edited by its own runs', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro'), 'docs/tour.md': script('Tour') }
    })
    const event = prAdding('videos/intro.md', 'docs/tour.md')
    const docs = { 'comment-key': 'docs', scripts: 'docs/**/*.md' }

    await scene.run({ event })
    await scene.run({ event, inputs: docs })
    const [videos, tour] = scene.github.comments(PR)
    await scene.write({ 'docs/tour.md': script('Tour', 'A different tour of the product.') })
    const again = await scene.run({ event, inputs: docs })

    const comments = scene.github.comments(PR)
    expect(comments.map(c => c.id)).toEqual([videos!.id, tour!.id])
    expect(comments[0]!.body).toContain(MARKER)
    expect(comments[0]!.body).toContain('videos/intro.md')
    expect(comments[1]!.body).toContain('<!-- avatar-video-action:docs -->')
    expect(comments[1]!.body).not.toContain('videos/intro.md')
    expect(comments[1]!.body).toContain(results(again)[0]!.request_id as string)
    expect(comments[0]!.body).toBe(videos!.body)
    expect(scene.github.violations).toEqual([])
  })

  it('shows every video as queued at once, then each as it finishes', async () => {
    scene = await createScene({
      files: { 'videos/quick.md': script('Quick'), 'videos/slow.md': script('Slow') },
      // At 0.05 real seconds a simulated second: the quick one ends at once, the slow in ~4 s.
      sim: { plan: payload => ({ processingSeconds: payload.title === 'Slow' ? 80 : 1 }) }
    })

    const run = await scene.run({ event: prAdding('videos/quick.md', 'videos/slow.md') })

    expect(run.code).toBe(0)
    const bodies = writtenBodies()
    expect(bodies[0]).toContain('⏳ 2 pending')
    expect(bodies[0]).toContain('rendering…')
    const halfway = bodies.find(body => body.includes('✅ 1 ready · ❌ 0 failed · ⏳ 1 pending'))
    expect(halfway).toBeDefined()
    expect(halfway).toMatch(/\| ✅ success \|/)
    expect(halfway).toContain('/media/')
    expect(bodies.at(-1)).toContain('✅ 2 ready · ❌ 0 failed · ⏳ 0 pending')
    expect(bodies.at(-1)).not.toContain('rendering…')
    // One comment, edited in place, never more often than once a second here.
    expect(scene.github.comments(PR)).toHaveLength(1)
    const created = scene.github.requests.filter(
      r =>
        r.method === 'POST' &&
        r.route === 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
    )
    expect(created).toHaveLength(1)
    expect(bodies.length).toBeLessThan(10)
    expect(scene.github.violations).toEqual([])
  })

  it('is found again when a personal access token wrote it, and not confused with the bot', async () => {
    const token = 'ghp_personalTokenOfTheReleaseBot'
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      github: { token, identity: { login: 'release-bot', id: 9001, type: 'User' } }
    })
    const event = prAdding('videos/intro.md')
    const bots = scene.github.addComment(PR, {
      body: `${MARKER}\nfrom another workflow`,
      user: BOT
    })

    const first = await scene.run({ event, inputs: { 'github-token': token } })
    const second = await scene.run({ event, inputs: { 'github-token': token } })

    expect([first.code, second.code]).toEqual([0, 0])
    const comments = scene.github.comments(PR)
    expect(comments).toHaveLength(2)
    expect(comments[0]).toMatchObject({ id: bots.id, body: bots.body })
    expect(comments[1]!.user!.login).toBe('release-bot')
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url'])
    expect(scene.github.violations).toEqual([])
  })

  it("is found again when a GitHub App's installation token wrote it", async () => {
    // Like GITHUB_TOKEN, an app's token gets 403 from GET /user; GraphQL's viewer names its bot.
    const token = 'ghs_installationTokenOfTheVideoApp'
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      github: { token, identity: { login: 'video-app[bot]', id: 9002, type: 'Bot' } }
    })
    const event = prAdding('videos/intro.md')
    const lookalike = scene.github.addComment(PR, {
      body: `${MARKER}\nby a person who named themselves after the app`,
      user: { login: 'video-app', id: 9003, type: 'User' }
    })

    const first = await scene.run({ event, inputs: { 'github-token': token } })
    const second = await scene.run({ event, inputs: { 'github-token': token } })

    expect([first.code, second.code]).toEqual([0, 0])
    const comments = scene.github.comments(PR)
    expect(comments).toHaveLength(2)
    expect(comments[0]).toMatchObject({ id: lookalike.id, body: lookalike.body })
    expect(comments[1]!.user!.login).toBe('video-app[bot]')
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url'])
    expect(scene.github.requests.filter(r => r.path === '/graphql')).not.toHaveLength(0)
    expect(scene.github.violations).toEqual([])
  })
})

describe('the artifact', () => {
  it('keeps the videos it could download when another link has expired, and says so', async () => {
    scene = await createScene({
      files: { 'videos/kept.md': script('Kept'), 'videos/expired.md': script('Expired') },
      sim: { plan: payload => (payload.title === 'Expired' ? { mediaTtlSeconds: 0 } : {}) }
    })

    const run = await scene.run({ event: prAdding('videos/kept.md', 'videos/expired.md') })

    expect(run.code).toBe(0)
    const byFile = new Map(results(run).map(r => [r.file, r]))
    expect(byFile.get('videos/kept.md')).toMatchObject({
      status: 'success',
      error: null,
      video_file: 'videos/kept.mp4',
      thumbnail_file: 'videos/kept.jpg'
    })
    expect(byFile.get('videos/expired.md')).toMatchObject({
      status: 'success',
      video_file: null,
      thumbnail_file: null
    })
    expect(byFile.get('videos/expired.md')!.error).toMatch(/not saved to the artifact.*expired/)

    const [artifact] = scene.artifacts.artifacts
    const files = artifact!.files()
    expect([...files.keys()].sort()).toEqual([
      'manifest.json',
      'videos/kept.jpg',
      'videos/kept.mp4'
    ])
    expect(Buffer.from(files.get('videos/kept.mp4')!).toString('latin1', 4, 8)).toBe('ftyp')
    expect(JSON.parse(Buffer.from(files.get('manifest.json')!).toString())).toEqual(results(run))
    expect(run.outputs['artifact-id']).toBe(String(artifact!.id))

    const body = scene.github.comments(PR)[0]!.body as string
    const expiredRow = body.split('\n').find(line => line.includes('videos/expired.md'))
    expect(plain(expiredRow ?? '')).toMatch(
      /✅ success<br>⚠️ Generated, but not saved to the artifact \(video: HTTP 403: the media link has expired/
    )
    expect(body).toContain(`/actions/runs/1234567890/artifacts/${artifact!.id}`)
    expect(scene.sim.mediaFetches.length).toBeGreaterThan(0)
    expect(scene.sim.mediaFetches.every(fetch => !fetch.authorization)).toBe(true)
  })

  it("says in one line what it uploads, and folds the upload client's chatter under it", async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })

    const run = await scene.run({ event: prAdding('videos/intro.md') })

    expect(run.code).toBe(0)
    const log = run.stdout.split('\n')
    const start = log.findIndex(line => line.startsWith('::group::Uploading artifact'))
    const end = log.indexOf('::endgroup::', start)
    expect(log[start]).toMatch(
      /^::group::Uploading artifact "avatar-videos": manifest\.json, 1 video and 1 thumbnail, \d+ kB$/
    )
    const folded = log.slice(start + 1, end)
    expect(folded).toContain('Artifact name is valid!')
    const shown = [...log.slice(0, start), ...log.slice(end + 1)]
    expect(shown.filter(line => /artifact/i.test(line) && !line.startsWith('::'))).toEqual([
      `Artifact "avatar-videos" uploaded (id ${scene.artifacts.artifacts[0]!.id})`
    ])
  })

  it('replaces the artifact of an earlier attempt of the same run', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const event = prAdding('videos/intro.md')

    const first = await scene.run({ event })
    const second = await scene.run({ event })

    expect([first.code, second.code]).toEqual([0, 0])
    expect(scene.artifacts.artifacts.map(a => a.name)).toEqual(['avatar-videos'])
    const [artifact] = scene.artifacts.artifacts
    expect(second.outputs['artifact-id']).toBe(String(artifact!.id))
    expect(second.outputs['artifact-id']).not.toBe(first.outputs['artifact-id'])
    const manifest = JSON.parse(Buffer.from(artifact!.files().get('manifest.json')!).toString())
    expect(manifest).toEqual(results(second))
  })

  it('uploads under the next free name when an unfinished upload holds the name', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const event = prAdding('videos/intro.md')
    scene.artifacts.inject({ operation: 'FinalizeArtifact', status: 400 })

    const interrupted = await scene.run({ event })
    const rerun = await scene.run({ event })

    expect([interrupted.code, rerun.code]).toEqual([0, 0])
    expect(interrupted.outputs['artifact-id']).toBe('')
    expect(scene.artifacts.artifacts.map(a => a.name)).toEqual(['avatar-videos-2'])
    expect(rerun.outputs['artifact-id']).toBe(String(scene.artifacts.artifacts[0]!.id))
    expect(
      rerun.annotations.some(
        a => a.level === 'warning' && a.message.includes('using "avatar-videos-2"')
      )
    ).toBe(true)
  })
})

describe('the outputs', () => {
  it('are all set when a script fails and the step fails', async () => {
    scene = await createScene({
      files: { 'videos/good.md': script('Good'), 'videos/bad.md': script('Bad') },
      sim: {
        plan: payload =>
          payload.title === 'Bad' ? { outcome: 'failed', reason: 'voice unavailable' } : {}
      }
    })

    const run = await scene.run({ event: prAdding('videos/good.md', 'videos/bad.md') })

    expect(run.code).toBe(1)
    expect(Object.keys(run.outputs).sort()).toEqual([...OUTPUTS].sort())
    expect(run.outputs).toMatchObject({ succeeded: '1', failed: '1' })
    const good = results(run).find(r => r.file === 'videos/good.md')
    expect(run.outputs['video-urls']).toBe(good!.video_url)
    expect(run.outputs['comment-url']).toBe(scene.github.comments(PR)[0]!.html_url)
    expect(run.outputs['artifact-id']).toBe(String(scene.artifacts.artifacts[0]!.id))
    const body = scene.github.comments(PR)[0]!.body as string
    expect(body).toContain('✅ 1 ready · ❌ 1 failed')
    expect(body).toContain('voice unavailable')
  })
})

describe('a dry run', () => {
  it('shows the payload each script would send, and submits nothing', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })

    const run = await scene.run({
      event: prAdding('videos/intro.md'),
      inputs: { 'dry-run': 'true' }
    })

    expect(run.code).toBe(0)
    expect(scene.sim.billable).toBe(0)
    const body = scene.github.comments(PR)[0]!.body as string
    expect(body).toContain('Dry run')
    const json = body.match(/```json\n([\s\S]*?)\n```/)?.[1]
    expect(JSON.parse(json ?? 'null')).toMatchObject({
      title: 'Intro',
      video_inputs: [{ voice: { input_text: 'Hello team, this is our new dashboard.' } }]
    })
    expect(body).toMatch(/≈ 0:\d\d spoken/)
    expect(run.summary).toContain('```json')
    expect(scene.github.violations).toEqual([])
  })
})
