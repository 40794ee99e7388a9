// `npm run bench:shards`: the job matrix against one runner. 200 scripts on a pull request, done
// once by one runner and once by 4 shards and the aggregate job, each against fresh stand-ins
// with scaled time. Reports each job's wall time and peak disk use (its RUNNER_TEMP, sampled),
// checks that the matrix gives every script the same status at the same cost, and exits 1 when a
// goal is missed: each shard's peak disk at most 1/4 of the single runner's plus 10 %, and the
// aggregate job at most 5 s. BENCH_ENTRY=path runs another build.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { startRequestQueue } from '../stand-ins/request-queue.js'
import { startGitHub } from '../stand-ins/github.js'
import { startArtifactService } from '../stand-ins/artifact.js'
import { pullRequestEvent } from '../stand-ins/events.js'
import { againstStandIns, runAction, ROOT } from '../stand-ins/runner.js'
import { table } from './print-table.js'

const SHARDS = 4
/** Real milliseconds per simulated second, as in scripts/bench.js. */
const MS_PER_SECOND = 50
const SCALE = MS_PER_SECOND / 1000
const POLL_INTERVAL = 10
/** Each video's size: large enough that disk use is the videos', small enough for any machine. */
const VIDEO_BYTES = 2 * 1024 * 1024
/** How often a job's RUNNER_TEMP is measured while it runs. */
const SAMPLE_MS = 100
const GOALS = { diskOverShare: 0.1, aggregateMs: 5000 }
const KEY = 'bench-key-not-a-secret'
const PR = 1
const ENTRY = path.resolve(process.env.BENCH_ENTRY ?? path.join(ROOT, 'dist', 'index.js'))

/**
 * @typedef {{ file: string, title: string, plan: { queuedSeconds: number,
 *   processingSeconds: number, videoBytes: number } }} Script
 * @typedef {{ name: string, wallMs: number, peakBytes: number, code: number | null,
 *   results: Array<Record<string, any>>, stdout: string }} Job
 */

const work = await mkdtemp(path.join(os.tmpdir(), 'avatar-bench-shards-'))
try {
  if (!existsSync(ENTRY)) {
    throw new Error(`${ENTRY} does not exist: run \`npm run build\` or set BENCH_ENTRY`)
  }
  const scripts = library()
  const workspace = await writeWorkspace(scripts)
  printHeader(scripts)

  const single = await workflowRun('single', scripts, workspace, async run => [
    await run('1 runner', {})
  ])
  const matrix = await workflowRun('matrix', scripts, workspace, async (run, artifacts) => {
    // The shards start together, as the matrix's jobs do, each on a runner of its own.
    const shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, i) =>
        run(`shard ${i + 1}/${SHARDS}`, { shard: `${i + 1}/${SHARDS}` }, artifacts.newJob().env)
      )
    )
    const aggregate = await run('aggregate', { aggregate: 'true' }, artifacts.newJob().env)
    return [...shards, aggregate]
  })
  const missed = report(scripts, single, matrix)
  console.log(missed.length ? `\nMissed: ${missed.join('; ')}.` : '\nEvery goal was met.')
  process.exitCode = missed.length ? 1 : 0
} catch (error) {
  console.error(`The bench could not run: ${/** @type {Error} */ (error).stack}`)
  process.exitCode = 1
} finally {
  await rm(work, { recursive: true, force: true })
}

/**
 * 200 scripts shaped like a localised demo library, rendering 1 to 4 simulated minutes.
 * @returns {Script[]}
 */
function library() {
  const products = ['dashboard', 'billing', 'onboarding', 'reports', 'admin']
  const languages = ['en', 'de', 'fr', 'es', 'it', 'pt-BR', 'ja', 'ko', 'zh-Hans', 'nl']
  const topics = ['welcome', 'first-steps', 'settings', 'whats-new']
  const files = products.flatMap(product =>
    languages.flatMap(language =>
      topics.map((topic, i) => `videos/${product}/${language}/${i + 1}-${topic}.md`)
    )
  )
  return files.map((file, i) => ({
    file,
    title: file,
    plan: {
      queuedSeconds: 1 + ((i * 7) % 5),
      processingSeconds: 60 + ((i * 37) % 181),
      videoBytes: VIDEO_BYTES
    }
  }))
}

/** @param {Script[]} scripts */
async function writeWorkspace(scripts) {
  const workspace = path.join(work, 'workspace')
  for (const [i, { file, title }] of scripts.entries()) {
    await mkdir(path.dirname(path.join(workspace, file)), { recursive: true })
    await writeFile(
      path.join(workspace, file),
      `---\ntitle: ${title}\n---\nWelcome to part ${i + 1}.\n`
    )
  }
  return workspace
}

/**
 * One workflow run on a pull request adding every script, against fresh stand-ins: `jobs` starts
 * its jobs with `run(name, inputs, env)`.
 * @param {string} name
 * @param {Script[]} scripts
 * @param {string} workspace
 * @param {(run: (job: string, inputs: Record<string, string>, env?: Record<string, string>)
 *   => Promise<Job>, artifacts: Awaited<ReturnType<typeof startArtifactService>>)
 *   => Promise<Job[]>} jobs
 */
async function workflowRun(name, scripts, workspace, jobs) {
  const plans = new Map(scripts.map(s => [s.title, s.plan]))
  const sim = await startRequestQueue({
    apiKey: KEY,
    timeScale: SCALE,
    plan: payload => plans.get(String(payload.title))
  })
  const github = await startGitHub()
  const artifacts = await startArtifactService({ storeDir: work })
  github.addPullRequest(PR, {
    files: scripts.map(({ file }) => ({ filename: file, status: 'added' }))
  })
  const wired = againstStandIns({
    sim,
    github,
    artifacts,
    apiKey: KEY,
    pollInterval: String(POLL_INTERVAL * SCALE)
  })
  let count = 0
  /** @type {(job: string, inputs: Record<string, string>, env?: Record<string, string>) => Promise<Job>} */
  const run = async (job, inputs, env = {}) => {
    const temp = path.join(work, `${name}-${++count}-temp`)
    await mkdir(temp)
    const sampler = sampleSize(temp)
    let began = 0
    try {
      const result = await runAction({
        event: { name: 'pull_request', payload: pullRequestEvent({ number: PR }) },
        workspace,
        entry: ENTRY,
        timeoutMs: 600_000,
        onSpawn: () => (began = performance.now()),
        ...wired,
        env: { ...wired.env, ...env, RUNNER_TEMP: temp },
        inputs: { ...wired.inputs, ...inputs, timeout: String(1800 * SCALE) }
      })
      const wallMs = performance.now() - began
      await rm(result.dir, { recursive: true, force: true })
      return {
        name: job,
        wallMs,
        peakBytes: await sampler.stop(),
        code: result.code,
        results: JSON.parse(result.outputs.results ?? '[]'),
        stdout: result.stdout
      }
    } finally {
      await sampler.stop()
      await rm(temp, { recursive: true, force: true })
    }
  }
  try {
    const done = await jobs(run, artifacts)
    return { jobs: done, billable: sim.billable, comments: github.comments(PR) }
  } finally {
    await Promise.all([sim.close(), github.close(), artifacts.close()])
  }
}

/**
 * Measures the bytes of the files under `dir` every SAMPLE_MS until `stop`, which resolves to the
 * largest measure (one last measure included).
 * @param {string} dir
 */
function sampleSize(dir) {
  let peak = 0
  let stopped = false
  const measure = async () => {
    peak = Math.max(peak, await bytesUnder(dir))
  }
  const loop = (async () => {
    while (!stopped) {
      await measure()
      await new Promise(resolve => setTimeout(resolve, SAMPLE_MS))
    }
  })()
  let ended = null
  return {
    stop() {
      ended ??= (async () => {
        stopped = true
        await loop
        await measure()
        return peak
      })()
      return ended
    }
  }
}

/** @param {string} dir */
async function bytesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  const sizes = await Promise.all(
    entries
      .filter(entry => entry.isFile())
      .map(entry =>
        stat(path.join(entry.parentPath, entry.name)).then(
          s => s.size,
          () => 0
        )
      )
  )
  return sizes.reduce((sum, size) => sum + size, 0)
}

/** @param {Script[]} scripts */
function printHeader(scripts) {
  const cpus = os.cpus()
  const entry = ENTRY.startsWith(ROOT) ? path.relative(ROOT, ENTRY) : ENTRY
  console.log(`avatar-video-action bench: shards · ${new Date().toISOString().slice(0, 16)} UTC`)
  console.log(
    `Machine  ${cpus[0]?.model.trim() ?? 'unknown CPU'} · ${cpus.length} cores · ` +
      `Node ${process.version} · ${os.platform()} ${os.arch()}`
  )
  console.log(
    `Work     ${entry}, on a pull request adding ${scripts.length} scripts, videos of ` +
      `${VIDEO_BYTES / 2 ** 20} MiB rendering 1–4 simulated min; 1 simulated s = ${MS_PER_SECOND} ms`
  )
  console.log(
    `Jobs     1 runner, then ${SHARDS} shards side by side and the aggregate job; on GitHub each ` +
      'is a runner of its own, here they share this machine'
  )
  console.log(`Disk     the peak of each job's RUNNER_TEMP, measured every ${SAMPLE_MS} ms`)
}

/**
 * @param {Script[]} scripts
 * @param {Awaited<ReturnType<typeof workflowRun>>} single
 * @param {Awaited<ReturnType<typeof workflowRun>>} matrix
 * @returns {string[]} goals missed
 */
function report(scripts, single, matrix) {
  const [one] = single.jobs
  const shards = matrix.jobs.slice(0, SHARDS)
  const aggregate = /** @type {Job} */ (matrix.jobs.at(-1))
  if (!one) throw new Error('the single runner did not run')
  const share = one.peakBytes / SHARDS
  const diskLimit = share * (1 + GOALS.diskOverShare)
  const mb = (/** @type {number} */ bytes) => (bytes / 1e6).toFixed(0)
  const seconds = (/** @type {number} */ ms) => (ms / 1000).toFixed(1)
  const scriptsOf = (/** @type {Job} */ job) =>
    String(job.stdout.match(/Shard \d+\/\d+: (\d+) of the/)?.[1] ?? job.results.length)

  console.log(`\nWall time and peak disk, per job`)
  table(
    ['job', 'scripts', 'wall time, s', 'peak disk, MB', 'of 1 runner', 'exit'],
    [one, ...shards, aggregate].map(job => [
      job.name,
      job === aggregate ? `${job.results.length} (report)` : scriptsOf(job),
      seconds(job.wallMs),
      mb(job.peakBytes),
      `${((job.peakBytes / one.peakBytes) * 100).toFixed(1)} %`,
      String(job.code)
    ])
  )
  const slowest = Math.max(...shards.map(job => job.wallMs))
  console.log(
    `   the matrix took ${seconds(slowest + aggregate.wallMs)} s: its slowest shard, then the ` +
      `aggregate job (1 runner: ${seconds(one.wallMs)} s). The shards shared ${os.cpus().length} ` +
      'cores here; on GitHub each has a runner of its own.'
  )

  const same = JSON.stringify(statuses(aggregate.results)) === JSON.stringify(statuses(one.results))
  const everyScript = aggregate.results.length === scripts.length
  const sameCost = matrix.billable === single.billable
  const fullest = Math.max(...shards.map(job => job.peakBytes))
  const diskOk = fullest <= diskLimit
  const aggregateOk = aggregate.wallMs <= GOALS.aggregateMs
  console.log('')
  console.log(
    verdict("fullest shard's peak disk, MB", mb(fullest), `≤ ${mb(diskLimit)} (¼ + 10 %)`, diskOk)
  )
  console.log(
    verdict(
      'aggregate job, s',
      seconds(aggregate.wallMs),
      `≤ ${GOALS.aggregateMs / 1000}`,
      aggregateOk
    )
  )
  console.log(
    verdict('same status for every script', same && everyScript ? 'yes' : 'no', 'yes', same)
  )
  console.log(
    verdict('billable requests', `${matrix.billable} / ${single.billable}`, 'equal', sameCost)
  )
  console.log(
    verdict(
      'comments on the pull request',
      String(matrix.comments.length),
      '1',
      matrix.comments.length === 1
    )
  )
  const missed = []
  if (!diskOk) missed.push(`a shard's peak disk ${mb(fullest)} MB > ${mb(diskLimit)} MB`)
  if (!aggregateOk) missed.push(`the aggregate job took ${seconds(aggregate.wallMs)} s`)
  if (!same || !everyScript) missed.push('the matrix and the single runner disagree on statuses')
  if (!sameCost) missed.push(`${matrix.billable} billable requests, 1 runner ${single.billable}`)
  if (matrix.comments.length !== 1) missed.push(`${matrix.comments.length} comments`)
  for (const job of [one, ...shards, aggregate]) {
    if (job.code !== 0) missed.push(`${job.name} exited ${job.code}`)
  }
  return missed
}

/** @param {Array<Record<string, any>>} results */
function statuses(results) {
  return Object.fromEntries(
    results.map(r => [r.file, r.status]).sort(([a], [b]) => String(a).localeCompare(String(b)))
  )
}

/**
 * @param {string} what
 * @param {string} value
 * @param {string} goal
 * @param {boolean} ok
 */
function verdict(what, value, goal, ok) {
  return `   ${what.padEnd(31)} ${value.padStart(9)}   goal ${goal.padEnd(18)} ${ok ? 'ok' : 'MISSED'}`
}
