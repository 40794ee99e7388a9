// `npm run bench`: the built action on the request-queue simulator with scaled time. Measures 50
// scripts against the ideal and a hand-written sequential client, and how long publishing takes
// after the last video finished against one download plus the upload; checks that random 5xx and
// 429 lose no row and bill nothing twice; and takes the peak memory of moving 5 and 50 × 50 MiB
// videos, each beside that of the @actions/artifact client alone uploading the same files.
// Prints one table, then exits 1 if a target was missed. BENCH_ENTRY=path runs another build.
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { once } from 'node:events'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { startRequestQueue } from '../stand-ins/request-queue.js'
import { startGitHub } from '../stand-ins/github.js'
import { startArtifactService } from '../stand-ins/artifact.js'
import { pullRequestEvent } from '../stand-ins/events.js'
import { againstStandIns, runAction, ROOT, SAMPLE_INPUTS } from '../stand-ins/runner.js'
import { table } from './print-table.js'

const SCRIPTS = 50
/**
 * Real milliseconds per simulated second: a 20-minute render takes 60 s. The action's fixed real
 * cost (start-up, publishing: a second or two) weighs 1000 / MS_PER_SECOND times more here than
 * on a runner, so slower is fairer; 50 ms keeps that distortion near 3 % of the ideal and the
 * whole bench near two minutes (at 25 ms it reached 6 %, and action/ideal read 1.08–1.11).
 */
const MS_PER_SECOND = 50
const SCALE = MS_PER_SECOND / 1000
/** The action's defaults; times in simulated seconds. */
const POLL_INTERVAL = 10
const TIMEOUT = 1800
const MAX_CONCURRENCY = 4
/** The hand-written client runs in this many lanes side by side, each one script after another. */
const BASELINE_LANES = 25
const FAULTS = { rate: 0.2, statuses: [500, 502, 503, 429], retryAfterSeconds: 1, seed: 42 }
/**
 * Each video of the scheduling run: a few MiB, what a minute of avatar video weighs, so that the
 * action downloads and uploads real bytes while keeping the run short.
 */
const SCHEDULING_VIDEO_BYTES = 4 * 2 ** 20
/** Downloads of one such video timed for the publishing goal; the median counts. */
const DOWNLOAD_RUNS = 3
const VIDEO_BYTES = 50 * 2 ** 20
/** The memory runs move this many videos, and SCRIPTS: memory must not grow with the work. */
const FEW_VIDEOS = 5
/** Peaks vary from run to run (by up to a quarter) with when V8 collects: each side runs this often. */
const MEMORY_RUNS = 3
/**
 * `callsPerVideo`: every call of the scheduling run to the request queue (checks, lists, submits,
 * polls, retries), over the scripts.
 * `publishing`: seconds from the last video's success to the action's exit, over one video's
 * download plus the upload by @actions/artifact alone. `vsClient`: the action's peak RSS over the
 * client's alone on the same files. `growth`: the action's peak RSS moving SCRIPTS videos over
 * moving FEW_VIDEOS.
 */
const TARGETS = {
  ideal: 1.05,
  baseline: 0.1,
  callsPerVideo: 4,
  publishing: 1,
  vsClient: 1.3,
  growth: 1.1
}

const KEY = 'bench-key-not-a-secret'
const MODEL = 'heygen-avatar-4'
const AVATAR = SAMPLE_INPUTS['avatar-id']
const VOICE = SAMPLE_INPUTS['voice-id']
const QUEUE_API = '/api/v1/ie/requestqueue/apikey'
const TERMINAL = new Set(['success', 'failed', 'cancelled'])
const PR = 1
const ENTRY = path.resolve(process.env.BENCH_ENTRY ?? path.join(ROOT, 'dist', 'index.js'))

// Loaded into the action's process with --import: its peak resident set size, written at exit.
const RSS_PROBE = `import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024))
})
`

// The baseline of memory and upload time: a bare Node process that loads @actions/artifact and
// uploads every file under argv[2] (the action's `directory`: its videos, thumbnails and
// manifest.json), under the V8 flag the action sets itself (src/lean-heap.ts). What it peaks at is
// the mandated client's own cost, which no action built on it can go below.
const CLIENT_ALONE = `import { readdirSync } from 'node:fs'
import path from 'node:path'
const { DefaultArtifactClient } = await import(process.env.BENCH_ARTIFACT_MODULE)
const dir = process.argv[2]
const files = readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter(entry => entry.isFile())
  .map(entry => path.join(entry.parentPath, entry.name))
await new DefaultArtifactClient().uploadArtifact('videos', files, dir, { compressionLevel: 0 })
`
const ARTIFACT_MODULE = fileURLToPath(import.meta.resolve('@actions/artifact'))

/**
 * @typedef {{ queuedSeconds: number, processingSeconds: number, videoBytes?: number }} Plan
 * @typedef {{ file: string, title: string, plan: Plan }} Script
 * @typedef {Awaited<ReturnType<typeof startRequestQueue>>['calls']} Calls
 *
 * @typedef {object} Run what one run of the action did, read before the stand-ins close
 * @property {number} wallMs from spawn to exit
 * @property {number} exitedAt when the process exited, epoch milliseconds
 * @property {number} firstCallMs from spawn to the first request-queue call
 * @property {number} lastCallMs from spawn to the last request-queue call
 * @property {number | null} rssBytes peak resident set size of the action's process
 * @property {number | null} code exit code
 * @property {Array<Record<string, any>>} results the `results` output
 * @property {string} stdout
 * @property {string} stderr
 * @property {Calls} calls request-queue API calls
 * @property {Array<{ request_id: string, status: string, endedAt: number }>} requests every
 *   request the simulator created, with when it reached its terminal status (epoch milliseconds)
 * @property {number} polls status polls of all requests
 * @property {number} billable
 * @property {Set<string>} billedTitles distinct titles of the billable requests
 * @property {number | null} artifactBytes size of the uploaded artifact
 * @property {string | null} directory the `directory` output: the run's files, still on disk
 * @property {() => Promise<void>} dispose removes the run's files
 *
 * @typedef {{ rssBytes: number | null, artifactBytes: number | null, wallMs: number }} Alone
 *   what @actions/artifact alone did, uploading the files of one run of the action
 */

const benchBegan = performance.now()
// The machine may be shared: its load is printed, since it weighs on every wall time.
const startLoad = loadAverage()
const work = await mkdtemp(path.join(os.tmpdir(), 'avatar-bench-'))
try {
  if (!existsSync(ENTRY)) {
    throw new Error(`${ENTRY} does not exist: run \`npm run build\` or set BENCH_ENTRY`)
  }
  const probe = path.join(work, 'rss-probe.mjs')
  await writeFile(probe, RSS_PROBE)
  const clientAlone = path.join(work, 'client-alone.mjs')
  await writeFile(clientAlone, CLIENT_ALONE)
  printHeader()

  // BENCH_ONLY=scheduling|faults|memory runs one part, while working on it.
  const only = process.env.BENCH_ONLY
  const runs = (/** @type {string} */ part) => !only || only === part
  const missed = []
  const alone = { probe, script: clientAlone, storeDir: work }
  if (runs('scheduling')) {
    // HeyGen's range: accepted within about 30 s, rendered in 5 to 20 minutes.
    const realistic = scriptsWith(
      spread(SCRIPTS, [5, 30], [5 * 60, 20 * 60]),
      SCHEDULING_VIDEO_BYTES
    )
    // Side by side, each against its own simulator, to save half a minute. The hand-written client
    // costs this process a few milliseconds a second: if anything, it slows the action down.
    const [main, baseline] = await Promise.all([
      runScene('main', realistic, { probe, storeDir: work }),
      handWrittenBaseline(realistic)
    ])
    try {
      // The two parts of the publishing goal, timed after the run on the same machine.
      const upload = await uploadAlone(filesOf(main), alone)
      const download = await downloadOne(SCHEDULING_VIDEO_BYTES)
      missed.push(...reportScheduling(realistic, main, baseline, { upload, download }))
    } finally {
      await main.dispose()
    }
  }
  if (runs('faults')) {
    // Retries wait real seconds, unscaled: shorter renders keep the fault run short.
    const short = scriptsWith(spread(SCRIPTS, [1, 5], [60, 240]))
    const faulted = await runScene('faults', short, { probe, faultRate: FAULTS })
    await faulted.dispose()
    missed.push(...reportFaults(short, faulted))
  }
  if (runs('memory')) {
    const scenes = [FEW_VIDEOS, SCRIPTS].map(count =>
      scriptsWith(spread(count, [1, 1], [5, 5]), VIDEO_BYTES)
    )
    /** @type {Array<{ scripts: Script[], action: Run[], alone: Alone[] }>} */
    const sides = scenes.map(scripts => ({ scripts, action: [], alone: [] }))
    // Taking turns, so that a change in the machine's load weighs on both sides alike. The client
    // alone uploads the very files the action just downloaded and uploaded.
    for (let i = 0; i < MEMORY_RUNS; i++) {
      for (const side of sides) {
        const run = await runScene(`memory-${side.scripts.length}-${i}`, side.scripts, {
          probe,
          storeDir: work
        })
        try {
          side.action.push(run)
          side.alone.push(await uploadAlone(filesOf(run), alone))
        } finally {
          await run.dispose()
        }
      }
    }
    missed.push(...reportMemory(sides))
  }

  console.log(
    `\nTook ${((performance.now() - benchBegan) / 60e3).toFixed(1)} min; ` +
      `load average (1 min) ${loadAverage()} at the end, ${startLoad} at the start.`
  )
  console.log(missed.length ? `\nMissed: ${missed.join('; ')}.` : '\nEvery target was met.')
  process.exitCode = missed.length ? 1 : 0
} catch (error) {
  console.error(`The bench could not run: ${/** @type {Error} */ (error).stack}`)
  process.exitCode = 1
} finally {
  await rm(work, { recursive: true, force: true })
}

/**
 * `count` plans whose queue and render times spread evenly over the ranges given in simulated
 * seconds; the queue times are shuffled by a fixed stride so that they don't grow with the render.
 * @param {number} count
 * @param {[number, number]} queued
 * @param {[number, number]} processing
 * @returns {Plan[]}
 */
function spread(count, [queuedMin, queuedMax], [processingMin, processingMax]) {
  const at = (/** @type {number} */ i, /** @type {number} */ min, /** @type {number} */ max) =>
    Math.round((min + ((max - min) * i) / (count - 1)) * 10) / 10
  return Array.from({ length: count }, (_, i) => ({
    queuedSeconds: at((i * 19) % count, queuedMin, queuedMax),
    processingSeconds: at(i, processingMin, processingMax)
  }))
}

/**
 * @param {Plan[]} plans
 * @param {number} [videoBytes]
 * @returns {Script[]}
 */
function scriptsWith(plans, videoBytes) {
  return plans.map((plan, i) => {
    const file = `videos/bench/part-${String(i + 1).padStart(2, '0')}.md`
    // The action titles a video by its script's path, so the simulator can find the plan by title.
    return { file, title: file, plan: videoBytes ? { ...plan, videoBytes } : plan }
  })
}

/**
 * The simulator's plan for each request, found by the payload's title.
 * @param {Script[]} scripts
 */
function planByTitle(scripts) {
  const plans = new Map(scripts.map(s => [s.title, s.plan]))
  return (/** @type {Record<string, unknown>} */ payload) => {
    const plan = plans.get(String(payload.title))
    if (!plan) throw new Error(`no plan for a video titled ${payload.title}`)
    return plan
  }
}

/**
 * Runs the action on a pull request that adds every script, against fresh stand-ins.
 * @param {string} name
 * @param {Script[]} scripts
 * @param {{ probe: string, faultRate?: typeof FAULTS, storeDir?: string }} options
 * @returns {Promise<Run>}
 */
async function runScene(name, scripts, options) {
  const workspace = path.join(work, `${name}-workspace`)
  for (const [i, { file }] of scripts.entries()) {
    await mkdir(path.dirname(path.join(workspace, file)), { recursive: true })
    await writeFile(path.join(workspace, file), `# Part ${i + 1}\n\nWelcome to part ${i + 1}.\n`)
  }
  const sim = await startRequestQueue({
    apiKey: KEY,
    timeScale: SCALE,
    plan: planByTitle(scripts),
    faultRate: options.faultRate
  })
  const github = await startGitHub()
  const artifacts = await startArtifactService({ storeDir: options.storeDir })
  github.addPullRequest(PR, {
    files: scripts.map(({ file }) => ({ filename: file, status: 'added' }))
  })
  const rssFile = path.join(work, `${name}-rss`)
  const pollInterval = String(POLL_INTERVAL * SCALE)
  const wired = againstStandIns({ sim, github, artifacts, apiKey: KEY, pollInterval })
  let began = 0
  let spawnedAt = 0
  let exitedAt = NaN
  try {
    const run = await runAction({
      event: { name: 'pull_request', payload: pullRequestEvent({ number: PR }) },
      workspace,
      entry: ENTRY,
      nodeArgs: ['--import', options.probe],
      // Far beyond any healthy run: the bench must end by itself.
      timeoutMs: (TIMEOUT * SCALE + 240) * 1000,
      onSpawn: child => {
        began = performance.now()
        spawnedAt = Date.now()
        child.once('exit', () => (exitedAt = Date.now()))
      },
      ...wired,
      env: { ...wired.env, BENCH_RSS_FILE: rssFile },
      inputs: {
        ...wired.inputs,
        timeout: String(TIMEOUT * SCALE),
        'max-concurrency': String(MAX_CONCURRENCY)
      }
    })
    const wallMs = performance.now() - began
    const rss = await readFile(rssFile, 'utf8').catch(() => null)
    const requests = sim.requests
    return {
      wallMs,
      firstCallMs: (sim.calls[0]?.at ?? NaN) - spawnedAt,
      lastCallMs: (sim.calls.at(-1)?.at ?? NaN) - spawnedAt,
      rssBytes: rss === null ? null : Number(rss),
      code: run.code,
      results: JSON.parse(run.outputs.results ?? '[]'),
      stdout: run.stdout,
      stderr: run.stderr,
      exitedAt,
      calls: sim.calls,
      requests: requests.map(({ request_id, status, endedAt }) => ({
        request_id,
        status,
        endedAt
      })),
      polls: requests.reduce((sum, r) => sum + r.polls, 0),
      billable: sim.billable,
      billedTitles: new Set(requests.map(r => String(r.payload.title))),
      artifactBytes: artifacts.artifacts[0]?.size ?? null,
      directory: run.outputs.directory || null,
      dispose: () => rm(run.dir, { recursive: true, force: true })
    }
  } finally {
    await Promise.all([sim.close(), github.close(), artifacts.close()])
    await rm(workspace, { recursive: true, force: true })
  }
}

/**
 * The folder of the files a run of the action published (its `directory` output), for the client
 * alone to upload the same.
 * @param {Run} run
 */
function filesOf(run) {
  if (run.directory) return run.directory
  const log = `${run.stdout.split('\n').slice(-15).join('\n')}\n${run.stderr}`
  throw new Error(`the action exited ${run.code} and published no directory:\n${log}`)
}

/**
 * Milliseconds to download one video of `bytes` from the simulator to a file, as the action
 * streams it: the median of DOWNLOAD_RUNS downloads, after one that warms the connection up.
 * @param {number} bytes
 */
async function downloadOne(bytes) {
  const sim = await startRequestQueue({
    apiKey: KEY,
    timeScale: SCALE,
    plan: () => ({ immediate: true, videoBytes: bytes })
  })
  const file = path.join(work, 'one-video.mp4')
  try {
    const payload = {
      title: 'one video',
      video_inputs: [
        {
          character: { type: 'avatar', avatar_id: AVATAR },
          voice: { type: 'text', input_text: 'One video.', voice_id: VOICE }
        }
      ]
    }
    const { request_id: id } = await queueCall(sim.url, 'POST', '/requests', {
      model: MODEL,
      payload
    })
    const { outcome } = await queueCall(sim.url, 'GET', `/requests/${id}`)
    const url = outcome.media_urls[0].url
    const times = []
    for (let i = 0; i <= DOWNLOAD_RUNS; i++) {
      const began = performance.now()
      const res = await fetch(url)
      if (!res.ok || !res.body) throw new Error(`downloading one video: HTTP ${res.status}`)
      await pipeline(Readable.fromWeb(res.body), createWriteStream(file))
      if (i > 0) times.push(performance.now() - began)
    }
    return median(times)
  } finally {
    await sim.close()
    await rm(file, { force: true })
  }
}

/**
 * The baseline of memory and upload time: @actions/artifact alone, in a bare Node process,
 * uploads every file under `dir` to a fresh artifact-service stand-in. Its wall time counts the
 * process's start and the client's loading too, which the action also pays when it publishes.
 * @param {string} dir
 * @param {{ probe: string, script: string, storeDir: string }} options
 * @returns {Promise<Alone>}
 */
async function uploadAlone(dir, options) {
  const artifacts = await startArtifactService({ storeDir: options.storeDir })
  const rssFile = path.join(work, 'client-alone-rss')
  try {
    const began = performance.now()
    const child = spawn(
      process.execPath,
      ['--optimize-for-size', '--import', options.probe, options.script, dir],
      {
        env: {
          ...process.env,
          ...artifacts.env,
          BENCH_ARTIFACT_MODULE: ARTIFACT_MODULE,
          BENCH_RSS_FILE: rssFile
        },
        stdio: ['ignore', 'ignore', 'inherit']
      }
    )
    const [code] = await once(child, 'exit')
    const wallMs = performance.now() - began
    if (code !== 0) throw new Error(`the @actions/artifact client alone exited with ${code}`)
    const rss = await readFile(rssFile, 'utf8')
    return {
      rssBytes: Number(rss),
      artifactBytes: artifacts.artifacts[0]?.size ?? null,
      wallMs
    }
  } finally {
    await artifacts.close()
    await rm(rssFile, { force: true })
  }
}

/**
 * What a user would write by hand: submit one script, wait a poll interval, poll it every
 * interval until it ends, then the next. Run in lanes side by side to save time; as requests do
 * not interact, one lane after another would take the sum of the lanes' wall times.
 * @param {Script[]} scripts
 */
async function handWrittenBaseline(scripts) {
  const sim = await startRequestQueue({ apiKey: KEY, timeScale: SCALE, plan: planByTitle(scripts) })
  try {
    // Longest with shortest, so that the lanes end together.
    const lanes = Array.from({ length: BASELINE_LANES }, (_, lane) =>
      scripts.filter((_, i) => Math.min(i, scripts.length - 1 - i) % BASELINE_LANES === lane)
    )
    const laneMs = await Promise.all(lanes.map(lane => handWritten(sim.url, lane)))
    return {
      totalMs: laneMs.reduce((sum, ms) => sum + ms, 0),
      slowestLaneMs: Math.max(...laneMs),
      calls: sim.calls.length,
      polls: sim.requests.reduce((sum, r) => sum + r.polls, 0),
      billable: sim.billable
    }
  } finally {
    await sim.close()
  }
}

/**
 * @param {string} url
 * @param {Script[]} scripts
 * @returns {Promise<number>} wall milliseconds
 */
async function handWritten(url, scripts) {
  const began = performance.now()
  for (const { title } of scripts) {
    const payload = {
      title,
      video_inputs: [
        {
          character: { type: 'avatar', avatar_id: AVATAR },
          voice: { type: 'text', input_text: `This is ${title}.`, voice_id: VOICE }
        }
      ]
    }
    const { request_id: id } = await queueCall(url, 'POST', '/requests', { model: MODEL, payload })
    let status
    do {
      await sleep(POLL_INTERVAL * MS_PER_SECOND)
      ;({ status } = await queueCall(url, 'GET', `/requests/${id}`))
    } while (!TERMINAL.has(status))
  }
  return performance.now() - began
}

/**
 * @param {string} url
 * @param {string} method
 * @param {string} route
 * @param {unknown} [body]
 */
async function queueCall(url, method, route, body) {
  const res = await fetch(`${url}${QUEUE_API}${route}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${await res.text()}`)
  return res.json()
}

function printHeader() {
  const cpus = os.cpus()
  const entry = ENTRY.startsWith(ROOT) ? path.relative(ROOT, ENTRY) : ENTRY
  console.log(`avatar-video-action bench · ${new Date().toISOString().slice(0, 16)} UTC`)
  console.log(
    `Machine  ${cpus[0]?.model.trim() ?? 'unknown CPU'} · ${cpus.length} cores · ` +
      `Node ${process.version} · ${os.platform()} ${os.arch()} · ` +
      `load average ${startLoad} (1 min; shared machines weigh on every wall time)`
  )
  console.log(`Action   ${entry}, on a pull request adding every script; stand-ins on loopback`)
  console.log(
    `Time     1 simulated second = ${MS_PER_SECOND} ms real; the action gets poll-interval ` +
      `${POLL_INTERVAL} s, timeout ${TIMEOUT} s, max-concurrency ${MAX_CONCURRENCY}, all scaled`
  )
  console.log(
    'Memory   peak RSS of each process: process.resourceUsage().maxRSS at its exit; the ' +
      "baseline is @actions/artifact alone in a bare Node process, with the action's V8 flag"
  )
}

/**
 * @param {Script[]} scripts
 * @param {Run} main
 * @param {Awaited<ReturnType<typeof handWrittenBaseline>>} baseline
 * @param {{ upload: Alone, download: number }} publishing the client alone uploading the run's
 *   files, and the milliseconds one video's download takes
 * @returns {string[]} targets missed
 */
function reportScheduling(scripts, main, baseline, { upload, download }) {
  const slowest = Math.max(...scripts.map(s => s.plan.queuedSeconds + s.plan.processingSeconds))
  // No client can publish before it has downloaded the last video and uploaded them all: the
  // ideal includes both, as measured beside the run.
  const goalMs = download + upload.wallMs
  const renderedMs = (slowest + POLL_INTERVAL) * MS_PER_SECOND
  const idealMs = renderedMs + goalMs
  const vsIdeal = main.wallMs / idealMs
  const vsBaseline = main.wallMs / baseline.totalMs
  const perVideo = (/** @type {number} */ polls) => (polls / scripts.length).toFixed(1)
  const callsPerVideo = main.calls.length / scripts.length
  const lists = main.calls.filter(c => c.method === 'GET' && c.path.endsWith('/requests')).length
  const queued = range(scripts.map(s => s.plan.queuedSeconds))
  const rendering = range(scripts.map(s => s.plan.processingSeconds / 60))

  const videoMiB = (scripts[0]?.plan.videoBytes ?? 0) / 2 ** 20
  console.log(
    `\n1. Scheduling: ${scripts.length} scripts, queued ${queued} s, rendering ${rendering} min, ` +
      `videos of ${videoMiB} MiB`
  )
  table(
    ['', 'action', 'hand-written', 'ideal'],
    [
      [
        'wall time, simulated s',
        simulated(main.wallMs),
        `${simulated(baseline.totalMs)} *`,
        simulated(idealMs)
      ],
      [
        'wall time, real s',
        seconds(main.wallMs),
        `${seconds(baseline.totalMs)} *`,
        seconds(idealMs)
      ],
      ['status polls by id per video', perVideo(main.polls), perVideo(baseline.polls), '1.0'],
      ['request lists read', String(lists), '0', ''],
      ['HTTP calls to the queue', String(main.calls.length), String(baseline.calls), ''],
      ['queue calls per video', callsPerVideo.toFixed(1), perVideo(baseline.calls), ''],
      [
        'billable requests',
        String(main.billable),
        String(baseline.billable),
        String(scripts.length)
      ],
      ['rows in `results`', statusCounts(main.results), '', ''],
      ['artifact uploaded', gib(main.artifactBytes), '', ''],
      ['peak RSS of the action, MB', megabytes(main.rssBytes), '', '']
    ]
  )
  console.log(
    `   * ${BASELINE_LANES} lanes ran side by side, each one script after another ` +
      `(slowest lane ${seconds(baseline.slowestLaneMs)} s);\n` +
      `     the figure sums the lanes' wall times: what one client through all scripts would take.`
  )
  console.log(
    `     It polls only, downloads and uploads nothing: if anything, that flatters it.\n` +
      `   ideal: the slowest script's queue and render time plus one poll interval, then one ` +
      `video's download and the upload (the goal for publishing, below)`
  )
  const generationMs = main.lastCallMs - main.firstCallMs
  console.log(
    `   the action's time: start-up ${seconds(main.firstCallMs)} s until its first queue call, ` +
      `generation ${seconds(generationMs)} s (${(generationMs / renderedMs).toFixed(3)} × the ideal's), ` +
      `then ${seconds(main.wallMs - main.lastCallMs)} s to its exit`
  )
  // Publishing: from the moment the last request reached success (the simulator's clock) to the
  // action's exit. The action learns of it at its next poll of that request.
  const last = main.requests.reduce((a, b) => (b.endedAt > a.endedAt ? b : a))
  // By its id, or in the request list, which shows every request.
  const seen = main.calls.find(
    c =>
      c.method === 'GET' &&
      (c.path.endsWith(`/requests/${last.request_id}`) || c.path.endsWith('/requests')) &&
      c.at >= last.endedAt
  )
  const publishingMs = main.exitedAt - last.endedAt
  const publishingOk = Number.isFinite(publishingMs) && publishingMs <= TARGETS.publishing * goalMs
  console.log(
    `   publishing after the last video finished: ${seconds(publishingMs)} s, of which ` +
      `${seconds((seen?.at ?? NaN) - last.endedAt)} s until the action's next poll of it ` +
      `(poll interval ${seconds(POLL_INTERVAL * MS_PER_SECOND)} s)`
  )
  console.log(
    `   goal: one video's download ${(download / 1000).toFixed(3)} s (median of ${DOWNLOAD_RUNS}, from the ` +
      `simulator) + the upload of the run's files (${gib(upload.artifactBytes)}) by ` +
      `@actions/artifact alone ${seconds(upload.wallMs)} s, in a fresh process`
  )
  console.log(
    verdict('action / ideal', vsIdeal.toFixed(3), `≤ ${TARGETS.ideal}`, vsIdeal <= TARGETS.ideal)
  )
  console.log(
    verdict(
      'action / hand-written',
      vsBaseline.toFixed(3),
      `≤ ${TARGETS.baseline}`,
      vsBaseline <= TARGETS.baseline
    )
  )
  console.log(
    verdict(
      'queue calls per video',
      callsPerVideo.toFixed(2),
      `≤ ${TARGETS.callsPerVideo}`,
      callsPerVideo <= TARGETS.callsPerVideo
    )
  )
  console.log(
    verdict(
      'publishing after the last, s',
      seconds(publishingMs),
      `≤ ${seconds(goalMs)}`,
      publishingOk
    )
  )
  const missed = []
  if (!publishingOk) {
    missed.push(
      `publishing took ${seconds(publishingMs)} s after the last video finished, ` +
        `over one download and the upload: ${seconds(goalMs)} s`
    )
  }
  if (callsPerVideo > TARGETS.callsPerVideo) {
    missed.push(`${callsPerVideo.toFixed(2)} queue calls per video > ${TARGETS.callsPerVideo}`)
  }
  if (vsIdeal > TARGETS.ideal) missed.push(`action/ideal ${vsIdeal.toFixed(3)} > ${TARGETS.ideal}`)
  if (vsBaseline > TARGETS.baseline) {
    missed.push(`action/hand-written ${vsBaseline.toFixed(3)} > ${TARGETS.baseline}`)
  }
  if (main.code !== 0 || statusCounts(main.results) !== `${scripts.length} success`) {
    missed.push(`the scheduling run exited ${main.code} with ${statusCounts(main.results)}`)
  }
  return missed
}

/**
 * @param {Script[]} scripts
 * @param {Run} run
 * @returns {string[]} targets missed
 */
function reportFaults(scripts, run) {
  const faultStatuses = new Set(FAULTS.statuses)
  const faults = run.calls.filter(c => faultStatuses.has(c.status ?? 0)).length
  const retries = (run.stdout.match(/; retry \d+ in /g) ?? []).length
  const files = new Set(run.results.map(r => r.file))
  const everyRow = run.results.length === scripts.length && scripts.every(s => files.has(s.file))
  const billedOnce = run.billable === scripts.length && run.billedTitles.size === scripts.length
  const rendering = range(scripts.map(s => s.plan.processingSeconds / 60))

  console.log(
    `\n2. Faults: ${FAULTS.rate * 100}% of API calls answer ${FAULTS.statuses.join(', ')} ` +
      `(429 asks to wait ${FAULTS.retryAfterSeconds} simulated s); ` +
      `${scripts.length} scripts rendering ${rendering} min`
  )
  table(
    ['', 'action'],
    [
      ['faults injected', `${faults} of ${run.calls.length} API calls`],
      ['retries the action logged', String(retries)],
      ['wall time, real s', seconds(run.wallMs)],
      ['rows in `results`', `${run.results.length}: ${statusCounts(run.results)}`],
      ['billable requests', `${run.billable}, for ${run.billedTitles.size} distinct scripts`]
    ]
  )
  console.log(verdict('every script ends with a row', everyRow ? 'yes' : 'no', 'yes', everyRow))
  console.log(verdict('billable requests = scripts', billedOnce ? 'yes' : 'no', 'yes', billedOnce))
  const missed = []
  if (!everyRow) missed.push(`faults: ${run.results.length} rows for ${scripts.length} scripts`)
  if (!billedOnce) {
    missed.push(`faults: ${run.billable} billable requests for ${scripts.length} scripts`)
  }
  return missed
}

/**
 * @param {Array<{ scripts: Script[], action: Run[], alone: Alone[] }>} sides the few videos,
 *   then the many: the action's runs and the client-alone runs beside them
 * @returns {string[]} targets missed
 */
function reportMemory(sides) {
  const [few, many] = sides
  if (!few || !many) throw new Error('the memory part needs a run of few videos and one of many')
  const peaksOf = (/** @type {Array<{ rssBytes: number | null }>} */ runs) =>
    runs.map(run => run.rssBytes ?? Infinity)
  const medianPeak = (/** @type {Array<{ rssBytes: number | null }>} */ runs) =>
    median(peaksOf(runs))
  const vsClient = medianPeak(many.action) / medianPeak(many.alone)
  const growth = medianPeak(many.action) / medianPeak(few.action)
  const clientGrowth = medianPeak(many.alone) / medianPeak(few.alone)
  const vsClientOk = vsClient <= TARGETS.vsClient
  const growthOk = growth <= TARGETS.growth
  console.log(
    `\n3. Memory: ${few.scripts.length} and ${many.scripts.length} videos of ` +
      `${VIDEO_BYTES / 2 ** 20} MiB, each downloaded as it finished, then uploaded as one ` +
      `artifact; then @actions/artifact alone uploads the same files; ${MEMORY_RUNS} runs each, ` +
      'taking turns'
  )
  const columns = sides.flatMap(side => [
    { name: `action, ${side.scripts.length}`, runs: side.action },
    { name: `alone, ${side.scripts.length}`, runs: side.alone }
  ])
  table(
    ['', ...columns.map(c => c.name)],
    [
      [
        'rows in `results`',
        ...sides.flatMap(side => [
          [...new Set(side.action.map(run => statusCounts(run.results)))].join(' / '),
          ''
        ])
      ],
      ['artifact uploaded', ...columns.map(c => gib(c.runs[0]?.artifactBytes ?? null))],
      ['wall time, real s', ...columns.map(c => c.runs.map(run => seconds(run.wallMs)).join(' '))],
      ['peak RSS of each run, MB', ...columns.map(c => peaksOf(c.runs).map(megabytes).join(' '))],
      ['median peak RSS, MB', ...columns.map(c => megabytes(medianPeak(c.runs)))]
    ]
  )
  // What the action adds to the client's own peak, and whether that part grows with the work.
  const own = sides.map(
    side =>
      `${megabytes(medianPeak(side.action) - medianPeak(side.alone))} MB with ${side.scripts.length}`
  )
  console.log(
    `   alone: @actions/artifact in a bare Node process uploading the files the action just ` +
      `published;\n     its own peak, ${many.scripts.length} / ${few.scripts.length} videos: ` +
      `${clientGrowth.toFixed(2)}; the action's above it (medians): ${own.join(', ')}`
  )
  console.log(
    verdict(
      `action / alone, ${many.scripts.length} videos`,
      vsClient.toFixed(3),
      `≤ ${TARGETS.vsClient.toFixed(2)}`,
      vsClientOk
    )
  )
  console.log(
    verdict(
      `action, ${many.scripts.length} / ${few.scripts.length} videos`,
      growth.toFixed(3),
      `≤ ${TARGETS.growth.toFixed(2)}`,
      growthOk
    )
  )
  const missed = []
  if (!vsClientOk) {
    missed.push(
      `peak RSS ${megabytes(medianPeak(many.action))} MB moving ${many.scripts.length} videos, ` +
        `${vsClient.toFixed(3)} × the @actions/artifact client's alone ` +
        `(${megabytes(medianPeak(many.alone))} MB)`
    )
  }
  if (!growthOk) {
    missed.push(
      `peak RSS ${megabytes(medianPeak(many.action))} MB moving ${many.scripts.length} videos, ` +
        `${growth.toFixed(3)} × moving ${few.scripts.length} ` +
        `(${megabytes(medianPeak(few.action))} MB)`
    )
  }
  for (const side of sides) {
    const expected = side.scripts.length * VIDEO_BYTES
    const whole = (/** @type {{ artifactBytes: number | null }} */ run) =>
      run.artifactBytes !== null && run.artifactBytes >= expected
    const short = side.action.find(run => !whole(run) || run.code !== 0)
    if (short) {
      missed.push(
        `a run moving ${side.scripts.length} videos uploaded no artifact holding them all`
      )
      console.log(short.stdout.split('\n').slice(-15).join('\n'), short.stderr)
    }
    if (!side.alone.every(whole)) {
      missed.push(
        `the @actions/artifact client alone uploaded less than ${side.scripts.length} videos`
      )
    }
  }
  return missed
}

/** @param {number | null} bytes */
function gib(bytes) {
  return bytes === null ? 'none' : `${(bytes / 2 ** 30).toFixed(2)} GiB`
}

/** The machine's load average over the last minute. */
function loadAverage() {
  return (os.loadavg()[0] ?? NaN).toFixed(1)
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/**
 * @param {string} what
 * @param {string} value
 * @param {string} target
 * @param {boolean} ok
 */
function verdict(what, value, target, ok) {
  return `   ${what.padEnd(30)} ${value.padStart(8)}   target ${target.padEnd(7)} ${ok ? 'ok' : 'MISSED'}`
}

/**
 * `50 success`, or `48 success, 2 failed`.
 * @param {Array<Record<string, any>>} results
 */
function statusCounts(results) {
  const counts = new Map()
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1)
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'no rows'
}

/** @param {number[]} values */
function range(values) {
  const fmt = (/** @type {number} */ v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))
  return `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`
}

/** @param {number} ms */
function seconds(ms) {
  return (ms / 1000).toFixed(1)
}

/** @param {number} ms real milliseconds, as simulated seconds */
function simulated(ms) {
  return String(Math.round(ms / MS_PER_SECOND))
}

/** @param {number | null} bytes */
function megabytes(bytes) {
  return bytes === null || !Number.isFinite(bytes) ? 'n/a' : (bytes / 1e6).toFixed(0)
}
