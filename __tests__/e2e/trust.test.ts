// An outsider's pull request is the attacker: text it writes (paths, titles, YAML keys) and answers
// from the queue or GitHub stay data. Each test replays, on the built action, one way such text or
// such an answer once reached a channel the action trusts.
import { afterEach, describe, expect, it } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { decodeState, encodeState } from '../../src/publish/state.js'
import { loadScript } from '../../src/script/index.js'
import { API_KEY, createScene, results, type Scene, type Run } from './harness.js'

const PR = 42
const OTHER_PR = 7
const STATE_OPEN = '<!-- avatar-video-action-state:'

const script = (title: string, words = 'Hello team, this is our new dashboard.') =>
  `---\ntitle: ${JSON.stringify(title)}\n---\n${words}\n`

let scene: Scene
afterEach(async () => scene?.close())

function comment(number = PR): string {
  return scene.github.comments(number)[0]?.body ?? ''
}

function byFile(run: Run) {
  return Object.fromEntries(results(run).map(r => [r.file as string, r]))
}

function errors(run: Run): string[] {
  return run.annotations.filter(a => a.level === 'error').map(a => a.message)
}

/** The hash the action computes for a script of the scene, as a forger would. */
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

/** Lines of the log the runner would take for a workflow command. */
function commandLines(run: Run): string[] {
  return run.stdout.split(/\r\n|\r|\n/).filter(line => /^\s*::/.test(line))
}

describe('the saved state', () => {
  it("cannot be forged by an outsider's title to reach another pull request's video", async () => {
    scene = await createScene({
      files: {
        'videos/secret.md': script('Confidential roadmap'),
        'videos/b.md': script('Mine', 'Words the outsider wants a video of.')
      }
    })
    // A member's pull request paid for a confidential video.
    const secretRun = await scene.run({ event: scene.pullRequest(OTHER_PR, ['videos/secret.md']) })
    const secret = results(secretRun)[0]!
    // The outsider maps their own script's hash to that request, in a title of another script.
    const forged = encodeState([
      {
        file: 'videos/b.md',
        hash: await hashOf('videos/b.md'),
        request_id: secret.request_id as string,
        status: 'success',
        video_url: null,
        thumbnail_url: null,
        duration: 3
      }
    ])
    await scene.write({ 'videos/a.md': script(forged) })
    const files = ['videos/a.md', 'videos/b.md']

    // The outsider's run is a dry run: the forged title is shown in the comment's preview.
    const dry = await scene.run({
      event: scene.pullRequest(PR, files, { authorAssociation: 'NONE' })
    })
    expect(results(dry).map(r => r.status)).toEqual(['skipped', 'skipped'])
    expect(comment()).toContain('What would be sent')
    expect(comment()).not.toContain(STATE_OPEN)
    expect(decodeState(comment())).toEqual([])

    // A maintainer approves: now the key is spent, for this pull request's own scripts only.
    const approved = await scene.run({ event: scene.pullRequest(PR, files) })

    const b = byFile(approved)['videos/b.md']!
    expect(b.status).toBe('success')
    expect(b.request_id).not.toBe(secret.request_id)
    expect(scene.sim.billable).toBe(3)
    const secretMedia = new URL(secret.video_url as string).pathname
    expect(comment()).not.toContain(secretMedia)
    expect(JSON.stringify(results(approved))).not.toContain(secret.request_id as string)
    const state = decodeState(comment())
    expect(state.map(e => e.request_id)).not.toContain(secret.request_id)
    expect(scene.github.violations).toEqual([])
  })

  it('cannot be wiped by a YAML key that repeats its marker: a rendering request is resumed', async () => {
    scene = await createScene({
      files: {
        'videos/slow.md': script('Slow'),
        'videos/bad.yml': `title: Bad\n"${STATE_OPEN}v1.AAAA -->": 1\nscenes:\n  - text: Hi\n`
      },
      sim: { plan: payload => (payload.title === 'Slow' ? { queuedSeconds: 100 } : undefined) }
    })
    const event = scene.pullRequest(PR, ['videos/slow.md', 'videos/bad.yml'])
    // The first run runs out of time while the video still renders; the invalid script's problem
    // line, which names the key, is in the same comment.
    const first = await scene.run({ event, inputs: { timeout: '1' } })
    expect(byFile(first)['videos/slow.md']!.status).toBe('timeout')
    expect(byFile(first)['videos/bad.yml']!.status).toBe('invalid')
    expect(comment().split(STATE_OPEN)).toHaveLength(2)

    const second = await scene.run({ event, inputs: { timeout: '60' } })

    expect(byFile(second)['videos/slow.md']).toMatchObject({
      status: 'success',
      request_id: byFile(first)['videos/slow.md']!.request_id
    })
    expect(scene.sim.billable).toBe(1)
  })

  it("lets another use's marker in a path take over no comment", async () => {
    const hostile = 'videos/<!-- avatar-video-action:docs -->.md'
    scene = await createScene({
      files: { [hostile]: script('Hostile'), 'docs/tour.md': script('Tour') }
    })
    const event = scene.pullRequest(PR, [hostile, 'docs/tour.md'])
    await scene.run({ event })
    const [videos] = scene.github.comments(PR)

    await scene.run({ event, inputs: { 'comment-key': 'docs', scripts: 'docs/**/*.md' } })

    const comments = scene.github.comments(PR)
    expect(comments).toHaveLength(2)
    expect(comments[0]).toMatchObject({ id: videos!.id, body: videos!.body })
    expect(comments[0]!.body).not.toContain('<!-- avatar-video-action:docs -->')
    expect(comments[1]!.body.split('\n')[0]).toBe('<!-- avatar-video-action:docs -->')
    expect(scene.github.violations).toEqual([])
  })
})

describe('the job log', () => {
  it('takes no workflow command from a file name', async () => {
    const evil = 'videos/evil\n::error file=README.md::forged annotation\n.md'
    const gone = 'videos/gone\r::stop-commands::forged\n.md'
    const renamed = 'videos/new\n::set-output name=succeeded::99\n.md'
    scene = await createScene({
      files: { [evil]: script('Evil'), [renamed]: script('Renamed') }
    })
    const event = scene.pullRequest(PR, [
      evil,
      { filename: gone, status: 'removed' },
      { filename: renamed, status: 'renamed', previous_filename: 'videos/old.md', changes: 0 }
    ] as Parameters<Scene['pullRequest']>[1])
    await scene.run({ event })
    // Run again for the reuse notes, which name the file and the request.
    const again = await scene.run({ event })

    expect(again.code).toBe(0)
    const forged = commandLines(again).filter(line =>
      /^\s*::(stop-commands|set-output|error file=README\.md)/.test(line)
    )
    expect(forged).toEqual([])
    expect(again.annotations.filter(a => a.properties.file === 'README.md')).toEqual([])
    expect(results(again).map(r => [r.file, r.status])).toEqual([[evil, 'reused']])
    // The names are still there to read, percent-encoded as the toolkit encodes command data.
    expect(again.stdout).toContain(
      'videos/evil%0A:%3Aerror file=README.md:%3Aforged annotation%0A.md'
    )
    expect(again.stdout).toContain('videos/gone%0D:%3Astop-commands:%3Aforged%0A.md was removed')
  })
})

describe('a hostile script', () => {
  it('costs only itself: an alias bomb and a deep nest are invalid, the others generated', async () => {
    const laughs = Array.from(
      { length: 7 },
      (_, i) =>
        `${'abcdefg'[i]}: &${'abcdefg'[i]} [${Array(9)
          .fill(i ? `*${'abcdefg'[i - 1]}` : '"lol"')
          .join(',')}]`
    ).join('\n')
    scene = await createScene({
      files: {
        'videos/bomb.yml': `${laughs}\nscenes: [{ text: *g }]\n`,
        'videos/deep.json': '['.repeat(200_000) + ']'.repeat(200_000),
        'videos/good.md': script('Good')
      }
    })
    const event = scene.pullRequest(PR, ['videos/bomb.yml', 'videos/deep.json', 'videos/good.md'])

    const run = await scene.run({ event })

    expect(results(run).map(r => [r.file, r.status])).toEqual([
      ['videos/bomb.yml', 'invalid'],
      ['videos/deep.json', 'invalid'],
      ['videos/good.md', 'success']
    ])
    const annotated = run.annotations.filter(a => a.level === 'error' && a.properties.file)
    expect(annotated.map(a => [a.properties.file, a.properties.line])).toEqual([
      ['videos/bomb.yml', '1'],
      ['videos/deep.json', '1']
    ])
    expect(annotated[0]!.message).toMatch(/alias/i)
    expect(annotated[1]!.message).toBe(
      'the document nests more than 64 levels deep: a script needs far fewer'
    )
    expect(comment()).toContain('videos/good.md')
    expect(scene.sim.billable).toBe(1)
  })
})

describe('a script that would keep the Markdown parser busy for minutes', () => {
  it('is stopped after 5 s and made invalid, and the others are generated', async () => {
    // Runs of emphasis cost micromark time that grows faster than their length.
    const hostile = Array.from({ length: 40 }, () => '*a'.repeat(12_000)).join('\n---\n')
    scene = await createScene({
      files: { 'videos/hostile.md': hostile, 'videos/good.md': script('Good') }
    })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/hostile.md', 'videos/good.md'])
    })

    expect(results(run).map(r => [r.file, r.status])).toEqual([
      ['videos/good.md', 'success'],
      ['videos/hostile.md', 'invalid']
    ])
    const [problem] = run.annotations.filter(a => a.properties.file === 'videos/hostile.md')
    expect(problem!.message).toMatch(/^reading this script took longer than 5 s, and was stopped/)
    expect(scene.sim.billable).toBe(1)
  })
})

describe("a run's time for reading scripts", () => {
  it('is bounded in all: past its budget, the scripts not read yet are skipped, saying why', async () => {
    scene = await createScene({
      files: { 'videos/a.md': script('A'), 'videos/b.md': script('B') }
    })

    // The budget (60 s) is set to nothing here, as a minute of hostile scripts would spend it.
    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/a.md', 'videos/b.md']),
      env: { AVATAR_VIDEO_PARSE_BUDGET_MS: '0' }
    })

    const note =
      "not read: this run's 0 s for reading scripts ran out before this one; fix or remove the scripts stopped for taking too long (marked invalid), and the next run reads the others"
    expect(results(run).map(r => [r.file, r.status, r.error])).toEqual([
      ['videos/a.md', 'skipped', note],
      ['videos/b.md', 'skipped', note]
    ])
    expect(run.annotations.filter(a => a.level === 'warning').map(a => a.message)).toContainEqual(
      expect.stringMatching(
        /^Reading the scripts took 0 s in all, this run's budget: those not read yet are skipped/
      )
    )
    // As GitHub shows it: entities decoded, the joiners that stop autolinks dropped.
    const shown = comment()
      .replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)))
      .replace(/\u200d/g, '')
    expect(shown).toContain("⏭️ skipped<br>not read: this run's 0 s for reading scripts ran out")
    expect(scene.sim.billable).toBe(0)
  })
})

describe('GitHub failing', () => {
  it('retries a failed comment list, then finds and edits the one comment', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const event = scene.pullRequest(PR, ['videos/intro.md'])
    await scene.run({ event })
    scene.github.inject({ method: 'GET', path: /\/issues\/42\/comments$/, status: 502 })

    const again = await scene.run({ event })

    expect(again.code).toBe(0)
    expect(scene.github.comments(PR)).toHaveLength(1)
    expect(results(again)[0]!.status).toBe('reused')
    expect(scene.sim.billable).toBe(1)
  })

  it('writes no second comment and pays nothing when the earlier one cannot be read', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      // The list shows no payloads: the comment is the only place reuse can look.
      sim: { echoPayload: false }
    })
    const event = scene.pullRequest(PR, ['videos/intro.md'])
    await scene.run({ event })
    await scene.write({ 'videos/outro.md': script('Outro') })
    const both = scene.pullRequest(PR, ['videos/intro.md', 'videos/outro.md'])
    scene.github.inject({
      method: 'GET',
      path: /\/issues\/42\/comments$/,
      status: 403,
      headers: { 'retry-after': '1' },
      times: 10
    })

    const again = await scene.run({ event: both })

    expect(again.code).toBe(1)
    expect(scene.github.comments(PR)).toHaveLength(1)
    expect(scene.sim.billable).toBe(1)
    expect(results(again).map(r => r.status)).toEqual(['skipped', 'skipped'])
    expect(errors(again)).toEqual([
      expect.stringMatching(
        /^Reading the comments of pull request #42: GitHub's rate limit refused it .*It may hold videos already paid for, so nothing was generated, to avoid paying twice/
      )
    ])
    expect(again.summary).toContain('no comment was written')
  })

  it('does not sleep for a day when GitHub asks to', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const event = scene.pullRequest(PR, ['videos/intro.md'])
    scene.github.inject({
      path: /\/pulls\/42\/files$/,
      status: 403,
      headers: { 'retry-after': '86400' },
      times: 5
    })

    const run = await scene.run({ event })

    expect(run.code).toBe(1)
    expect(run.stdout).toContain('GitHub asks to wait 86400 s, longer than the action waits')
    expect(errors(run).join('\n')).toMatch(/rate limit refused it/)
    expect(scene.sim.billable).toBe(0)
  })

  it('reports a secondary rate limit on the comment as a rate limit, not a permission', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.github.inject({
      method: 'POST',
      path: /\/issues\/42\/comments$/,
      status: 403,
      headers: { 'retry-after': '1' },
      times: 10
    })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    const said = [...errors(run), ...run.annotations.map(a => a.message)].join('\n')
    expect(said).toMatch(/Writing the pull request comment: GitHub's rate limit refused it/)
    expect(said).not.toContain('The token needs `pull-requests: write`')
  })

  it("keeps GitHub's error message of 1 MB from flooding the log, naming what failed and its end", async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.github.inject({
      method: 'POST',
      path: /\/issues\/42\/comments$/,
      status: 422,
      body: { message: `Validation Failed: ${'blah '.repeat(200_000)}the end` },
      times: 10
    })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(1)
    expect(run.stdout.length).toBeLessThan(64 * 1024)
    const [said] = errors(run)
    expect(said).toMatch(
      /^The pull request comment could not be written \(Writing the pull request comment: Validation Failed: (blah )+\S*…\), so the requests this run paid for are not saved .*: [0-9a-f-]+ \(videos\/intro\.md\)\. They are in the job summary and the results output$/
    )
    expect(said!.length).toBeLessThan(1000)
  })
})

describe('the request queue answering oddly', () => {
  it('takes an oversized answer as an error of that call, and carries on', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.sim.inject({ path: '/models/', status: 200, bodyText: ' '.repeat(9 << 20) })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(0)
    expect(results(run)[0]!.status).toBe('success')
    expect(run.stdout).toContain(
      'Could not check model "heygen-avatar-4" before submitting: GET /api/v1/ie/requestqueue/apikey/models/heygen-avatar-4: the answer is larger than 8 MiB'
    )
    expect(scene.sim.billable).toBe(1)
  })

  it('keeps a model declaring 100k parameters from flooding the log, and still says what is wrong', async () => {
    // About 5 MB of names: once a 4 MB warning for each payload key the model did not declare.
    const parameters = Array.from({ length: 100_000 }, (_, i) =>
      `hostile_parameter_${i}_`.padEnd(40, 'x')
    )
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      sim: { parameters: { 'heygen-avatar-4': parameters } }
    })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(0)
    expect(results(run)[0]!.status).toBe('success')
    expect(run.stdout.length).toBeLessThan(64 * 1024)
    const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
    const title = warnings.find(w => w.includes('payload key "title"'))
    expect(title).toMatch(
      /^Model "heygen-avatar-4" does not declare the payload key "title" \(it declares hostile_parameter_0_x+, .* and 99990 more\), which videos\/intro\.md sends: the queue may ignore or refuse it$/
    )
    expect(title!.length).toBeLessThan(2000)
  })

  it('does not download media from a host the comment would not link', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    const metadata = 'http://169.254.169.254/latest/meta-data/iam/video.mp4'
    scene.sim.inject({
      method: 'POST',
      handled: true,
      status: 200,
      body: {
        request_id: 'req-metadata',
        status: 'success',
        outcome: { media_urls: [{ id: '0', url: metadata }], duration: 3 }
      }
    })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(results(run)[0]).toMatchObject({ status: 'success' })
    expect(results(run)[0]!.error).toMatch(/not downloaded: the URL is not https/)
    expect(comment()).not.toContain('169.254.169.254')
  })

  it('stops polling when the key is refused mid-run, keeping the request for the next run', async () => {
    scene = await createScene({
      files: { 'videos/intro.md': script('Intro') },
      sim: { plan: () => ({ queuedSeconds: 100 }) }
    })
    scene.sim.inject({ method: 'GET', path: '/requests/', status: 401, body: { error: 'revoked' } })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(1)
    const id = scene.sim.requests[0]!.request_id
    expect(results(run)[0]).toMatchObject({ status: 'timeout', request_id: id })
    expect(errors(run)).toEqual([expect.stringMatching(/^the request queue refused the API key/)])
    expect(decodeState(comment()).map(e => [e.request_id, e.status])).toEqual([[id, 'timeout']])
  })

  it('never lets the key into the failure message', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.sim.inject({
      path: '/models/',
      status: 401,
      body: { error: `invalid key ${API_KEY}` }
    })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(1)
    expect(errors(run).join('\n')).toContain('invalid key ***')
    const visible = run.stdout.replace(/^::add-mask::.*$/gm, '')
    expect(visible).not.toContain(API_KEY)
  })
})

describe('inputs that could hurt', () => {
  it.each([
    ['timeout', '3000000', /^timeout must be a number of seconds from 1 to 432000/],
    ['poll-interval', '1e9', /^poll-interval must be a number of seconds from 0.01 to 3600/],
    ['poll-interval', '0x10', /^poll-interval must be a number of seconds/],
    ['allowed-associations', ',,,', /^allowed-associations must list author associations/],
    ['api-url', 'https://u:p@console.gmicloud.ai', /^api-url must not hold a user name/],
    ['api-url', 'https://console.gmicloud.ai/api/v1', /^api-url must be the base URL alone/]
  ])('refuses %s %p before anything is paid for', async (name, value, message) => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })

    const run = await scene.run({
      event: scene.pullRequest(PR, ['videos/intro.md']),
      inputs: { [name]: value }
    })

    expect(run.code).toBe(1)
    expect(errors(run)).toEqual([expect.stringMatching(message)])
    expect(scene.sim.calls).toEqual([])
    expect(results(run)).toEqual([])
  })

  it('names a redirect to another origin, not a bad key', async () => {
    scene = await createScene({ files: { 'videos/intro.md': script('Intro') } })
    scene.sim.inject({
      path: '/models/',
      status: 301,
      headers: { location: 'https://elsewhere.example/models/heygen-avatar-4' }
    })

    const run = await scene.run({ event: scene.pullRequest(PR, ['videos/intro.md']) })

    expect(run.code).toBe(1)
    const said = run.annotations.map(a => a.message).join('\n')
    expect(said).toContain(
      'a redirect to another origin (https://elsewhere.example); check api-url'
    )
    expect(said).not.toMatch(/refused the API key/)
    expect(scene.sim.billable).toBe(0)
  })
})

describe('cancellation while publishing', () => {
  it('abandons the downloads, rather than waiting for them, and writes the comment and outputs', async () => {
    scene = await createScene({
      files: Object.fromEntries(
        ['a', 'b', 'c', 'd'].map(name => [`videos/${name}.md`, script(name.toUpperCase())])
      ),
      sim: { plan: () => ({ immediate: true }) }
    })
    // Every media download hangs, as a large video on a slow link would: for longer than Jest's
    // timeout, so a run that waited for them, rather than leaving at the signal, fails the test.
    scene.sim.inject({ path: '/media/', delayMs: 3_600_000, times: 8 })
    let child: ChildProcess | undefined
    const running = scene.run({
      event: scene.pullRequest(
        PR,
        ['a', 'b', 'c', 'd'].map(n => `videos/${n}.md`)
      ),
      onSpawn: spawned => (child = spawned)
    })
    while (scene.sim.mediaFetches.length === 0) {
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    child!.kill('SIGINT')
    setTimeout(() => child!.kill('SIGTERM'), 500)

    const run = await running

    expect(run.outputs.results).toBeDefined()
    expect(results(run).map(r => r.status)).toEqual(['success', 'success', 'success', 'success'])
    expect(comment()).toContain('videos/d.md')
    expect(comment()).not.toContain('rendering…')
    expect(run.stdout).toMatch(/Cancelled: the (download|artifact upload) was abandoned/)
  })

  it('says so outside the folded upload log, and closes each group once', async () => {
    scene = await createScene({
      files: { 'videos/a.md': script('A') },
      sim: { plan: () => ({ immediate: true }) }
    })
    // Storage keeps failing: the upload client retries for minutes.
    scene.artifacts.inject({ operation: 'PutBlob', status: 503, times: Infinity })
    scene.artifacts.inject({ operation: 'PutBlock', status: 503, times: Infinity })
    let child: ChildProcess | undefined
    let stdout = ''
    const running = scene.run({
      event: scene.pullRequest(PR, ['videos/a.md']),
      onSpawn: spawned => {
        child = spawned
        spawned.stdout?.on('data', chunk => (stdout += String(chunk)))
      }
    })
    while (!stdout.includes('::group::Uploading artifact')) {
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    child!.kill('SIGINT')
    setTimeout(() => child!.kill('SIGTERM'), 3000)

    const run = await running

    const lines = run.stdout.split('\n')
    const warning = lines.findIndex(l => l.startsWith('::warning::Cancelled: the artifact upload'))
    expect(warning).toBeGreaterThan(-1)
    // Groups never nest and never end twice; the warning is in none of them.
    let open = false
    lines.forEach((line, i) => {
      if (line.startsWith('::group::')) {
        expect(open).toBe(false)
        open = true
      } else if (line.startsWith('::endgroup::')) {
        expect(open).toBe(true)
        open = false
      } else if (i === warning) expect(open).toBe(false)
    })
    expect(open).toBe(false)
    expect(results(run)[0]).toMatchObject({ status: 'success' })
  })
})
