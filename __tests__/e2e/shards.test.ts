// A library too large for one runner, split across a job matrix: four shards each generate their
// own scripts and keep their own videos, and a final job writes the one comment, as one job doing
// all the work would have. A shard that dies costs its scripts a re-run, never silently.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { zipSync } from 'fflate'
import { startArtifactService } from '../../stand-ins/artifact.js'
import { pushEvent } from '../../stand-ins/events.js'
import { decodeState } from '../../src/publish/state.js'
import { assetNames } from '../../src/publish/names.js'
import { assignShards } from '../../src/shard/split.js'
import { createScene, results, type Scene, type Run } from './harness.js'

const PR = 7
const script = (title: string, words = `This is the ${title} tour of our product.`) =>
  `---\ntitle: ${title}\n---\n${words}\n`

/**
 * Twelve scripts over four shards (each holds two to five of them): shard 3 holds an invalid
 * script, shard 4 one the queue fails.
 */
const FILES: Record<string, string> = {
  'videos/intro.md': script('Intro'),
  'videos/pricing.md': script('Pricing'),
  'videos/tour.md': script('Tour'),
  'videos/billing.md': script('Billing'),
  'videos/onboarding.md': script('Onboarding'),
  'videos/reports.md': script('Reports'),
  'videos/admin.md': script('Admin'),
  'videos/export.md': script('Export'),
  'videos/search.md': script('Search'),
  'videos/alerts.md': script('Alerts'),
  'videos/teams.md': '---\ntitle: Teams\nspeed: 9\n---\nTeams, together.\n',
  'videos/settings.md': script('Settings')
}
const PATHS = Object.keys(FILES).sort()
/** The shard each script is on, as every job of the matrix splits them. */
const shardOf = (file: string) => assignShards(PATHS, 4).get(file)
const INVALID = 'videos/teams.md'
const FAILING = 'videos/alerts.md'
const plan = (payload: Record<string, unknown>) =>
  payload.title === 'Alerts'
    ? { outcome: 'failed' as const, reason: 'avatar Daisy is not available' }
    : undefined

/** A workflow run of the matrix starts five processes: on a busy machine, many seconds. */
const MATRIX_TIMEOUT = 240_000

const scenes: Scene[] = []
const services: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all([...scenes.splice(0), ...services.splice(0)].map(s => s.close()))
})

async function scene(options: Parameters<typeof createScene>[0] = {}): Promise<Scene> {
  const created = await createScene({ files: FILES, sim: { plan }, ...options })
  scenes.push(created)
  return created
}

type Artifacts = Scene['artifacts']

/**
 * One workflow run of the matrix recipe: shards 1 to 4 side by side, each its own job of the run
 * `artifacts` stands for, then the aggregate job. `dies` are killed the moment they start.
 */
async function matrix(
  on: Scene,
  event: { name: string; payload: object },
  options: { inputs?: Record<string, string>; dies?: number[]; artifacts?: Artifacts } = {}
): Promise<{ shards: Run[]; aggregate: Run }> {
  const artifacts = options.artifacts ?? on.artifacts
  const shards = await Promise.all(
    [1, 2, 3, 4].map(index =>
      on.run({
        event,
        inputs: { ...options.inputs, shard: `${index}/4` },
        env: artifacts.newJob().env,
        onSpawn: options.dies?.includes(index) ? child => child.kill('SIGKILL') : undefined
      })
    )
  )
  const aggregate = await on.run({
    event,
    inputs: { ...options.inputs, aggregate: 'true' },
    env: artifacts.newJob().env
  })
  return { shards, aggregate }
}

/** A second workflow run: a run of its own in the artifact service. */
async function nextRun(): Promise<Artifacts> {
  const service = await startArtifactService()
  services.push(service)
  return service
}

const REQUEST_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const SIM_URL = /http:\/\/127\.0\.0\.1:\d+\/[^\s"')<\]]*/g

/** What two runs on two simulators can share: the same results, whatever ids the queue gave. */
function shape(rows: Array<Record<string, unknown>>) {
  return rows.map(row => ({
    ...row,
    request_id: row.request_id ? 'REQUEST' : null,
    video_url: row.video_url ? 'URL' : null,
    thumbnail_url: row.thumbnail_url ? 'URL' : null,
    media_urls: Array.isArray(row.media_urls) ? row.media_urls.map(() => 'URL') : row.media_urls,
    error: typeof row.error === 'string' ? row.error.replace(REQUEST_ID, 'REQUEST') : row.error
  }))
}

/**
 * The comment as a reviewer reads it, apart from the queue's ids and links, and the artifact
 * link (one artifact, or one per shard); its hidden state is compared apart, by `saved`.
 */
function readable(body: string): string {
  return body
    .replace(/^<!-- avatar-video-action-state:v1\..*$/m, 'STATE')
    .replace(SIM_URL, 'URL')
    .replace(REQUEST_ID, 'REQUEST')
    .replace(/\[Artifacts? with the videos[^\]]*\]\([^)]*\)/, 'ARTIFACTS')
}

/** What the comment saved for later runs to reuse and resume. */
function saved(body: string) {
  return decodeState(body)
    .map(entry => ({
      file: entry.file,
      hash: entry.hash,
      status: entry.status,
      request_id: entry.request_id ? 'REQUEST' : null,
      video_url: entry.video_url ? 'URL' : null
    }))
    .sort((a, b) => a.file.localeCompare(b.file))
}

const commentOf = (on: Scene) => on.github.comments(PR)[0]?.body ?? ''
/** Text as GitHub shows it: entities decoded, the joiners that stop autolinks dropped. */
const shown = (body: string) =>
  body.replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code))).replace(/\u200d/g, '')
const own = (index: number) => PATHS.filter(file => shardOf(file) === index)
const byFile = (run: Run) => Object.fromEntries(results(run).map(r => [r.file as string, r]))

describe('a library split across four shards of a job matrix', () => {
  it('spreads the scripts so that every shard has some, the failing ones on shards 3 and 4', () => {
    expect([1, 2, 3, 4].map(index => own(index).length).every(n => n >= 2)).toBe(true)
    expect([shardOf(INVALID), shardOf(FAILING)]).toEqual([3, 4])
  })

  it(
    'writes the comment, results and outputs one job would, each shard keeping its own videos',
    async () => {
      const one = await scene()
      const many = await scene()
      const single = await one.run({ event: one.pullRequest(PR, PATHS) })

      const { shards, aggregate } = await matrix(many, many.pullRequest(PR, PATHS))

      // A failed script fails the aggregate job, as it fails one job; shards leave that to it.
      expect(shards.map(run => run.code)).toEqual([0, 0, 0, 0])
      expect(single.code).toBe(1)
      expect(aggregate.code).toBe(1)
      expect(shape(results(aggregate))).toEqual(shape(results(single)))
      for (const output of ['succeeded', 'failed']) {
        expect(aggregate.outputs[output]).toBe(single.outputs[output])
      }
      expect(readable(commentOf(many))).toBe(readable(commentOf(one)))
      expect(saved(commentOf(many))).toEqual(saved(commentOf(one)))
      expect(readable(aggregate.summary)).toBe(readable(single.summary))
      expect(many.sim.billable).toBe(one.sim.billable)
      // Only the aggregate job wrote to the pull request, once.
      expect(many.github.comments(PR)).toHaveLength(1)
      expect(
        many.github.requests.filter(r => r.method !== 'GET' && /comments/.test(r.path))
      ).toHaveLength(1)
      expect(commentOf(many)).toContain('Artifacts with the videos, one per shard')

      // The media are spread across the shards: each artifact holds its own videos, no other.
      for (const index of [1, 2, 3, 4]) {
        const artifact = many.artifacts.artifacts.find(
          a => a.name === `avatar-videos-${index}-of-4`
        )
        const files = artifact!.files()
        const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'))
        expect(manifest.map((r: { file: string }) => r.file)).toEqual(own(index))
        const videos = own(index)
          .filter(file => file !== INVALID && file !== FAILING)
          .map(file => file.replace(/\.md$/, '.mp4'))
        expect([...files.keys()].filter(k => k.endsWith('.mp4')).sort()).toEqual(videos)
      }
      // The aggregate job read the four small reports, and not one video.
      const read = many.artifacts.calls.filter(call => call.operation === 'GetBlob')
      expect(read.map(call => call.artifact).sort()).toEqual(
        [1, 2, 3, 4].map(index => `avatar-videos-${index}-of-4-manifest`)
      )
      expect(many.github.violations).toEqual([])

      // The next push to the pull request reuses every video, as one job does, and pays for the
      // failed script again, as one job does.
      const again = await one.run({ event: one.pullRequest(PR, PATHS) })
      const second = await matrix(many, many.pullRequest(PR, PATHS), { artifacts: await nextRun() })

      expect(shape(results(second.aggregate))).toEqual(shape(results(again)))
      expect(results(second.aggregate).filter(r => r.status === 'reused')).toHaveLength(10)
      expect(many.sim.billable).toBe(one.sim.billable)
      expect(readable(commentOf(many))).toBe(readable(commentOf(one)))
      expect(saved(commentOf(many))).toEqual(saved(commentOf(one)))
    },
    MATRIX_TIMEOUT
  )

  it(
    'shows the scripts of a shard that died as skipped, naming it, until its job is re-run',
    async () => {
      const many = await scene()
      const event = many.pullRequest(PR, PATHS)

      const first = await matrix(many, event, { dies: [3] })

      expect(first.shards.map(run => run.code)).toEqual([0, 0, null, 0])
      expect(first.aggregate.code).toBe(1)
      const rows = byFile(first.aggregate)
      expect(rows['videos/tour.md']).toMatchObject({
        status: 'skipped',
        request_id: null,
        error:
          'not generated: shard 3/4 reported no results (the job failed, was cancelled or never ran); re-run it'
      })
      // An invalid script is invalid whoever reads it: the aggregate job annotates it instead.
      expect(rows[INVALID]).toMatchObject({ status: 'invalid' })
      expect(first.aggregate.annotations).toContainEqual(
        expect.objectContaining({
          level: 'error',
          properties: expect.objectContaining({ file: INVALID })
        })
      )
      expect(rows['videos/intro.md']).toMatchObject({ status: 'success' })
      // Said beside the script, and above the table, which is not complete.
      expect(shown(commentOf(many))).toContain(
        '⏭️ skipped<br>not generated: shard 3/4 reported no results'
      )
      expect(shown(commentOf(many))).toContain(
        '> ℹ️ 1 script has no result, because the shard that owed it reported nothing'
      )
      expect(first.aggregate.annotations).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: expect.stringContaining(
            '1 script has no result, because the shard that owed it reported nothing this job could read: shard 3/4 (1)'
          )
        })
      )
      const paid = many.sim.billable

      // "Re-run failed jobs": shard 3 again, then the aggregate job, in the same workflow run.
      const shard = await many.run({
        event,
        inputs: { shard: '3/4' },
        env: many.artifacts.newJob().env
      })
      const aggregate = await many.run({
        event,
        inputs: { aggregate: 'true' },
        env: many.artifacts.newJob().env
      })

      expect(shard.code).toBe(0)
      expect(byFile(aggregate)['videos/tour.md']).toMatchObject({ status: 'success', error: null })
      expect(results(aggregate).filter(r => r.status === 'skipped')).toEqual([])
      // Only the dead shard's one valid script was paid for on the re-run.
      expect(many.sim.billable).toBe(paid + 1)
      expect(commentOf(many)).not.toContain('reported no results')
      expect(saved(commentOf(many)).map(entry => entry.file)).toEqual(
        PATHS.filter(file => file !== INVALID)
      )
      expect(many.github.comments(PR)).toHaveLength(1)
    },
    MATRIX_TIMEOUT
  )

  it(
    "hands a request still rendering at a shard's timeout to the next run, which resumes it",
    async () => {
      const files = {
        'videos/intro.md': script('Intro'),
        'videos/search.md': script('Search'),
        'videos/pricing.md': script('Pricing')
      }
      const paths = Object.keys(files).sort()
      // Search renders for 60 simulated seconds (3 s here); the shards stop after 1.
      const many = await scene({
        files,
        sim: {
          plan: payload => (payload.title === 'Search' ? { processingSeconds: 60 } : undefined)
        }
      })

      const first = await matrix(many, many.pullRequest(PR, paths), { inputs: { timeout: '1' } })

      expect(byFile(first.aggregate)['videos/search.md']).toMatchObject({ status: 'timeout' })
      const slow = many.sim.requests.find(r => r.payload.title === 'Search')!
      expect(decodeState(commentOf(many))).toContainEqual(
        expect.objectContaining({ file: 'videos/search.md', request_id: slow.request_id })
      )
      const paid = many.sim.billable

      await new Promise(resolve => setTimeout(resolve, 3000))
      const second = await matrix(many, many.pullRequest(PR, paths), { artifacts: await nextRun() })

      expect(byFile(second.aggregate)['videos/search.md']).toMatchObject({
        status: 'success',
        request_id: slow.request_id
      })
      expect(many.sim.billable).toBe(paid)
      expect(commentOf(many)).toContain('↩️ resumed')
    },
    MATRIX_TIMEOUT
  )

  it(
    "publishes each shard's videos to one release on a merge, and its manifest.json once",
    async () => {
      const many = await scene()
      const before = 'b'.repeat(40)
      const after = 'c'.repeat(40)
      many.github.setCompare(before, after, {
        files: PATHS.map(filename => ({ filename, status: 'modified' }))
      })
      // A push to the default branch (master): other branches publish no release.
      const event = { name: 'push', payload: pushEvent({ before, after }) }

      const { shards, aggregate } = await matrix(many, event, {
        inputs: { release: 'avatar-videos' }
      })

      // The four shards found no release and created it at once: one got it, the others read it.
      expect(shards.map(run => run.code)).toEqual([0, 0, 0, 0])
      const releases = many.github.releases()
      expect(releases).toHaveLength(1)
      const published = PATHS.filter(file => file !== INVALID && file !== FAILING)
      const names = published.flatMap(file => Object.values(assetNames(file)))
      expect(releases[0]!.assets.map(a => a.name).sort()).toEqual(
        [...names, 'manifest.json'].sort()
      )
      const manifestUploads = many.github.requests.filter(
        r => r.host === 'uploads' && r.method === 'POST' && r.query.name === 'manifest.json'
      )
      expect(manifestUploads).toHaveLength(1)
      const manifest = releases[0]!.assets.find(a => a.name === 'manifest.json')!
      const entries = JSON.parse(Buffer.from(many.github.assetBytes(manifest.id)!).toString())
      expect(entries.map((e: { file: string }) => e.file)).toEqual(published)
      expect(aggregate.outputs['release-urls']!.split('\n')).toHaveLength(published.length)
      expect(aggregate.summary).toContain('Published to the release')
      expect(many.github.violations).toEqual([])
    },
    MATRIX_TIMEOUT
  )
})

describe('the aggregate job reading the scripts no shard reported on', () => {
  it(
    'stops a script that would keep the Markdown parser busy for minutes, as any run does',
    async () => {
      // Runs of emphasis cost micromark time that grows faster than their length.
      const hostile = Array.from({ length: 40 }, () => '*a'.repeat(12_000)).join('\n---\n')
      const files = { 'videos/hostile.md': hostile, 'videos/intro.md': script('Intro') }
      const many = await scene({ files })
      const event = many.pullRequest(PR, Object.keys(files))

      // No shard reported: the aggregate job reads both scripts itself.
      const aggregate = await many.run({
        event,
        inputs: { aggregate: 'true' },
        env: many.artifacts.newJob().env
      })

      const rows = byFile(aggregate)
      expect(rows['videos/hostile.md']).toMatchObject({
        status: 'invalid',
        error: expect.stringMatching(/reading this script took longer than 5 s, and was stopped/)
      })
      expect(rows['videos/intro.md']).toMatchObject({
        status: 'skipped',
        error: expect.stringMatching(/^not generated: no shard of this run reported/)
      })
      expect(many.sim.billable).toBe(0)
    },
    MATRIX_TIMEOUT
  )
})

/**
 * Uploads `files` as the artifact `name`, as any job of the run can (a step running a pull
 * request's code, say): through the same service calls as the artifact client, with a job's token.
 */
async function uploadAsAnotherJob(
  artifacts: Artifacts,
  name: string,
  files: Record<string, string>
): Promise<void> {
  const job = artifacts.newJob()
  const ids = {
    workflow_run_backend_id: artifacts.runBackendId,
    workflow_job_run_backend_id: job.jobBackendId
  }
  const twirp = async (method: string, body: object) => {
    const url = new URL(
      `twirp/github.actions.results.api.v1.ArtifactService/${method}`,
      artifacts.resultsUrl
    )
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${job.runtimeToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...ids, ...body })
    })
    if (!response.ok) throw new Error(`${method}: ${response.status} ${await response.text()}`)
    return (await response.json()) as Record<string, string>
  }
  const zip = Buffer.from(
    zipSync(Object.fromEntries(Object.entries(files).map(([f, t]) => [f, Buffer.from(t)])))
  )
  const created = await twirp('CreateArtifact', { name, version: 4 })
  const put = await fetch(created.signed_upload_url!, {
    method: 'PUT',
    headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/zip' },
    body: zip
  })
  if (!put.ok) throw new Error(`PutBlob: ${put.status}`)
  const hash = `sha256:${createHash('sha256').update(zip).digest('hex')}`
  await twirp('FinalizeArtifact', { name, size: String(zip.length), hash })
}

describe("a shard's report uploaded by another job of the run", () => {
  it(
    'is not believed: its links, files, notice and request ids reach neither the comment nor the outputs',
    async () => {
      const files = { 'videos/intro.md': script('Intro') }
      const many = await scene({ files })
      const event = many.pullRequest(PR, Object.keys(files))
      const forged = {
        version: 1,
        shard: '1/1',
        files: ['videos/intro.md'],
        dry_run: false,
        notice: 'A maintainer approved these videos: see https://evil.example/approve',
        artifact: { id: 1, name: 'avatar-videos-1-of-1' },
        fatal: null,
        unreleased: null,
        released: [],
        results: [
          {
            file: 'videos/intro.md',
            status: 'success',
            hash: 'a'.repeat(64),
            request_id: 'req-of-another-pull-request',
            video_url: 'https://evil.example/intro.mp4',
            thumbnail_url: 'http://169.254.169.254/latest/meta-data/',
            duration: 3,
            error: null,
            media_urls: ['https://evil.example/intro.mp4'],
            video_file: '../../../../home/runner/.bashrc',
            thumbnail_file: null,
            release_url: 'javascript:alert(document.cookie)',
            pending: false,
            remote_status: null,
            resumed: false,
            title: 'Intro',
            estimated_seconds: 3,
            payload: null,
            problems: []
          }
        ]
      }
      await uploadAsAnotherJob(many.artifacts, 'avatar-videos-1-of-1-manifest', {
        'shard.json': JSON.stringify(forged)
      })

      const aggregate = await many.run({
        event,
        inputs: { aggregate: 'true' },
        env: many.artifacts.newJob().env
      })

      expect(byFile(aggregate)['videos/intro.md']).toMatchObject({
        status: 'skipped',
        request_id: null,
        video_url: null,
        video_file: null,
        release_url: null,
        error: expect.stringMatching(
          /^not reported: the report of shard 1\/1 could not be read \(its shard\.json is not a shard report at results\.0\.thumbnail_url: not an https URL\); re-run that job$/
        )
      })
      expect(aggregate.annotations).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: expect.stringMatching(
            /^The report "avatar-videos-1-of-1-manifest" was not used: its shard\.json is not a shard report/
          )
        })
      )
      const everything = [JSON.stringify(aggregate.outputs), commentOf(many), aggregate.summary]
      for (const said of ['evil', 'bashrc', 'javascript', 'req-of-another', '169.254']) {
        expect(everything.join('\n')).not.toContain(said)
      }
      expect(decodeState(commentOf(many))).toEqual([])
      expect(many.sim.billable).toBe(0)
    },
    MATRIX_TIMEOUT
  )
})
