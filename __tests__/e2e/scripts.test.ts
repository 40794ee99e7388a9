// Script mistakes are caught before any money is spent, pointed at on their line, and do not
// hold back the valid scripts of the same run.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createScene, results, type Scene } from './harness.js'

const PR = 7
let scene: Scene
afterEach(async () => scene?.close())

function pullRequestAdding(files: string[]) {
  return scene.pullRequest(PR, files, { authorAssociation: 'OWNER' })
}

const GOOD = 'Our product, in one sentence.\n'
const BAD_YAML = `title: Broken
scenes:
  - text: Hello
    speed: 2
  - text: Again
    avatr: Daisy
`
const BAD_JSON = `{
  "scenes": [
    { "text": "Hi", "emotion": "happy" }
  ]
}
`

describe('scripts with mistakes', () => {
  it('annotates every problem on its line, submits only the valid script, and fails the step', async () => {
    scene = await createScene({
      files: { 'videos/good.md': GOOD, 'videos/bad.yml': BAD_YAML, 'videos/loud.json': BAD_JSON }
    })
    const run = await scene.run({
      event: pullRequestAdding(['videos/good.md', 'videos/bad.yml', 'videos/loud.json'])
    })

    // Only the valid script was paid for.
    expect(scene.sim.billable).toBe(1)
    expect(scene.sim.requests[0]!.payload.title).toBe('videos/good.md')

    const byFile = Object.fromEntries(results(run).map(r => [r.file, r]))
    expect(byFile['videos/good.md']).toMatchObject({ status: 'success' })
    expect(byFile['videos/bad.yml']).toMatchObject({ status: 'invalid', request_id: null })
    expect(byFile['videos/loud.json']).toMatchObject({ status: 'invalid', request_id: null })

    // Every problem of a file at once, each an annotation on its own line and column.
    const errors = run.annotations.filter(a => a.level === 'error' && a.properties.file)
    const where = errors.map(a => `${a.properties.file}:${a.properties.line}:${a.properties.col}`)
    expect(where.sort()).toEqual([
      'videos/bad.yml:4:12',
      'videos/bad.yml:6:5',
      'videos/loud.json:3:32'
    ])
    const speed = errors.find(a => a.properties.line === '4')!
    expect(speed.message).toMatch(/scenes\.1\.speed.*between 0\.5 and 1\.5/)
    expect(errors.find(a => a.properties.line === '6')!.message).toMatch(
      /^scenes\.2\.avatr: unknown key avatr; did you mean avatar\?$/
    )
    expect(errors.find(a => a.properties.file === 'videos/loud.json')!.message).toMatch(
      /emotion.*Excited, Friendly, Serious, Soothing, Broadcaster/
    )

    // The comment lists the problems where the reviewer looks, and the step fails.
    const body = scene.github.comments(PR)[0]!.body as string
    expect(body).toMatch(/<details>/)
    expect(body).toContain('videos/bad.yml:4:12')
    expect(run.outputs).toMatchObject({ succeeded: '1', failed: '2' })
    expect(run.code).toBe(1)
    expect(scene.github.violations).toEqual([])
  })

  it('checks and reports every script in a dry run, submitting nothing', async () => {
    scene = await createScene({ files: { 'videos/good.md': GOOD, 'videos/bad.yml': BAD_YAML } })
    const run = await scene.run({
      event: pullRequestAdding(['videos/good.md', 'videos/bad.yml']),
      inputs: { 'dry-run': 'true', 'fail-on-error': 'false' }
    })

    // Given a key, a dry run only reads what the queue shows it (see setup.test.ts).
    expect(scene.sim.calls.filter(c => c.method !== 'GET')).toEqual([])
    expect(scene.sim.billable).toBe(0)
    expect(run.code).toBe(0)
    const [bad, good] = results(run)
    expect(good).toMatchObject({ file: 'videos/good.md', status: 'skipped', request_id: null })
    expect(good!.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(bad).toMatchObject({ file: 'videos/bad.yml', status: 'invalid' })
    expect(run.outputs).toMatchObject({ succeeded: '0', failed: '1' })
    expect(run.summary).toMatch(/Dry run/)
    expect(scene.github.comments(PR)[0]!.body).toMatch(/Dry run/)
  })

  it('runs a dry run without any API key', async () => {
    scene = await createScene({ files: { 'videos/good.md': GOOD } })
    const run = await scene.run({
      event: pullRequestAdding(['videos/good.md']),
      inputs: { 'dry-run': 'true', 'api-key': '' }
    })
    expect(run.code).toBe(0)
    expect(scene.sim.calls).toEqual([])
    expect(results(run)[0]).toMatchObject({ status: 'skipped' })
  })
})

describe('Markdown scripts, spoken as written', () => {
  const MARKDOWN = [
    '# Fast &mdash; and cheap&hellip;',
    '',
    'Line one<br>line two, &copy; &eacute;t&eacute;.[^1] See [our docs](https://example.com/docs).',
    '<!-- not for the voice -->',
    '![A chart](chart.png)',
    '',
    '- first',
    '- second',
    '',
    '[^1]: A footnote, never spoken.',
    '',
    '---',
    '',
    'Thanks for watching!'
  ].join('\n')
  const SPOKEN = [
    'Fast — and cheap… Line one line two, © été. See our docs. first. second',
    'Thanks for watching!'
  ]
  const TABLE = 'Our plans:\n\n| Plan | Price |\n|---|---|\n| Team | $10 |\n'

  /** The comment as a reader sees it: entities decoded, invisible joiners gone. */
  const readable = (body: string) =>
    body
      .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
      .replaceAll('\u200D', '')

  it('shows the exact words of every scene in the dry-run comment', async () => {
    scene = await createScene({ files: { 'videos/launch.md': MARKDOWN } })
    const run = await scene.run({
      event: pullRequestAdding(['videos/launch.md']),
      inputs: { 'dry-run': 'true' }
    })

    // Given a key, a dry run only reads what the queue shows it (the setup check).
    expect(scene.sim.calls.filter(c => c.method !== 'GET')).toEqual([])
    expect(run.code).toBe(0)
    const body = readable(scene.github.comments(PR)[0]!.body as string)
    expect(body).toContain(`\n\n1. ${SPOKEN[0]}\n2. ${SPOKEN[1]}\n\n`)
    expect(body).not.toMatch(/footnote|chart|not for the voice|example\.com\/docs\)?\./)
  })

  it('refuses a table before spending, and shows the words of the video it paid for', async () => {
    scene = await createScene({ files: { 'videos/launch.md': MARKDOWN, 'videos/plans.md': TABLE } })
    const run = await scene.run({
      event: pullRequestAdding(['videos/launch.md', 'videos/plans.md'])
    })

    expect(scene.sim.billable).toBe(1)
    const sent = scene.sim.requests[0]!.payload as {
      video_inputs: { voice: { input_text: string } }[]
    }
    expect(sent.video_inputs.map(input => input.voice.input_text)).toEqual(SPOKEN)

    const byFile = Object.fromEntries(results(run).map(r => [r.file, r]))
    expect(byFile['videos/launch.md']).toMatchObject({ status: 'success' })
    expect(byFile['videos/plans.md']).toMatchObject({ status: 'invalid', request_id: null })
    const annotation = run.annotations.find(a => a.properties.file === 'videos/plans.md')
    expect(annotation).toMatchObject({
      level: 'error',
      message: 'a table cannot be spoken: say what it shows in sentences, or as a list',
      properties: { line: '3', col: '1' }
    })

    const body = readable(scene.github.comments(PR)[0]!.body as string)
    expect(body).toContain('🗣️ What the videos say (1)')
    expect(body).toContain(`\n\n1. ${SPOKEN[0]}\n2. ${SPOKEN[1]}\n\n`)
    expect(body).toContain('videos/plans.md:3:1: a table cannot be spoken')
    expect(run.code).toBe(1)
  })
})
