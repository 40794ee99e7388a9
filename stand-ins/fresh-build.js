// One build of the current src/ for a test run: the end-to-end tests run it (so they never test a
// stale dist/), and __tests__/dist.test.ts checks that the committed dist/ is the same. It is made
// once per change of its inputs, and shared by every test process through a lock (which only
// spares work: two builds of the same inputs are the same).
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { ROOT } from './runner.js'

const run = promisify(execFile)
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'avatar-video-action')
/** What the build reads besides node_modules, which package-lock.json stands for. */
const INPUTS = ['src', 'scripts/build.js', 'package.json', 'package-lock.json', 'tsconfig.json']
/** A lock still without its holder's pid after this long was left by a killed process. */
const PID_GRACE_MS = 10_000
/** A build takes under a minute, several on a starved machine: a lock older than this is stale. */
const LOCK_MAX_AGE_MS = 10 * 60_000
/** Builds of other sources are removed when they are this old: another run may be using one. */
const OTHER_BUILDS_AGE_MS = 60 * 60_000

/** Names the test run (set by Jest's global setup for every test process). */
const RUN = process.env.AVATAR_TEST_RUN ?? `pid ${process.pid}`

/** @type {Promise<string> | undefined} */
let built

/**
 * The folder of a build of the current src/ (with index.js), building it if no process has yet.
 * @returns {Promise<string>}
 */
export function freshBuild() {
  built ??= buildOnce()
  return built
}

/** A hash of everything the build reads; any edit gives a new build. */
export async function inputsHash() {
  const hash = createHash('sha256').update(`node ${process.version}\n`)
  for (const input of INPUTS) {
    const full = path.join(ROOT, input)
    const files = (await stat(full)).isDirectory()
      ? (await readdir(full, { recursive: true, withFileTypes: true }))
          .filter(entry => entry.isFile())
          .map(entry => path.join(entry.parentPath, entry.name))
          .sort()
      : [full]
    for (const file of files) {
      hash.update(`${path.relative(ROOT, file)}\n`).update(await readFile(file))
    }
  }
  return hash.digest('hex').slice(0, 16)
}

async function buildOnce() {
  // Jest's global setup hashes the sources once for the whole run (see __tests__/setup/global.js).
  const key = process.env.AVATAR_TEST_BUILD ?? (await inputsHash())
  const dir = path.join(CACHE, `build-${key}`)
  const lock = `${dir}.lock`
  const failure = `${dir}.failed`
  await mkdir(CACHE, { recursive: true })
  for (;;) {
    if (existsSync(path.join(dir, 'index.js'))) return dir
    // A build that failed in this test run fails the other test processes at once, with its
    // message, instead of being tried again by each.
    const failed = await readFile(failure, 'utf8').catch(() => null)
    if (failed?.startsWith(`${RUN}\n`)) throw new Error(failed.slice(RUN.length + 1))
    try {
      await mkdir(lock)
    } catch {
      if (await isStale(lock)) await rm(lock, { recursive: true, force: true })
      else await sleep(250)
      continue
    }
    try {
      await writeFile(path.join(lock, 'pid'), String(process.pid))
      await build(dir, failure)
    } finally {
      await rm(lock, { recursive: true, force: true })
    }
  }
}

/** Builds into a temporary folder, renamed into place only when complete. */
async function build(/** @type {string} */ dir, /** @type {string} */ failure) {
  const temporary = `${dir}.tmp-${process.pid}`
  try {
    await run(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), temporary], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024
    })
  } catch (error) {
    const { stdout = '', stderr = '' } = /** @type {{ stdout?: string, stderr?: string }} */ (error)
    const message = `npm run build failed on the current src/:\n${stdout}${stderr}`.trim()
    await writeFile(failure, `${RUN}\n${message}`)
    await rm(temporary, { recursive: true, force: true })
    throw new Error(message)
  }
  await rm(failure, { force: true })
  try {
    await rename(temporary, dir)
  } catch (error) {
    // Two processes that both found a dead builder's lock may both build: the first one wins.
    await rm(temporary, { recursive: true, force: true })
    if (!existsSync(path.join(dir, 'index.js'))) throw error
  }
}

/**
 * Removes the builds of other sources, once they are an hour old: not while a test run that
 * started before an edit may still be running one. Called once per run, before any test.
 * @param {string} key the inputs hash of the build to keep
 */
export async function forgetOtherBuilds(key) {
  const entries = await readdir(CACHE).catch(() => /** @type {string[]} */ ([]))
  for (const entry of entries) {
    if (!entry.startsWith('build-') || entry.startsWith(`build-${key}`)) continue
    const other = path.join(CACHE, entry)
    const info = await stat(other).catch(() => null)
    if (info && Date.now() - info.mtimeMs > OTHER_BUILDS_AGE_MS) {
      await rm(other, { recursive: true, force: true })
    }
  }
}

/** A lock whose process is gone: killed while it built. */
async function isStale(/** @type {string} */ lock) {
  const taken = await stat(lock).catch(() => null)
  if (!taken) return false
  const age = Date.now() - taken.mtimeMs
  // A pid reused by another process would otherwise hold the lock for ever.
  if (age > LOCK_MAX_AGE_MS) return true
  const pid = Number(await readFile(path.join(lock, 'pid'), 'utf8').catch(() => 0))
  // The holder writes its pid right after it takes the lock.
  if (!pid) return age > PID_GRACE_MS
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH'
  }
}
