// Sets up one end-to-end scene: a workspace with script files, the request-queue simulator,
// the GitHub and artifact stand-ins, and a runner-like launch of the built action against them.
// The action is a build of the current src/, made once for the whole test run: a stale dist/
// is never what is tested (__tests__/dist.test.ts checks that dist/ is this same build).
import { beforeAll } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, writeFile, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startRequestQueue } from '../../stand-ins/request-queue.js'
import { startGitHub } from '../../stand-ins/github.js'
import { startArtifactService } from '../../stand-ins/artifact.js'
import { againstStandIns, runAction } from '../../stand-ins/runner.js'
import { pullRequestEvent } from '../../stand-ins/events.js'
import { freshBuild } from '../../stand-ins/fresh-build.js'

export const API_KEY = 'gmi-test-KEY-7f3a9c1e5b'
export const OWNER = 'Codertocat'
export const REPO = 'Hello-World'

type Sim = Awaited<ReturnType<typeof startRequestQueue>>
type GitHub = Awaited<ReturnType<typeof startGitHub>>
type Artifacts = Awaited<ReturnType<typeof startArtifactService>>
type RunResult = Awaited<ReturnType<typeof runAction>>

export interface Scene {
  sim: Sim
  github: GitHub
  artifacts: Artifacts
  workspace: string
  run(options: {
    event: { name: string; payload: object }
    inputs?: Record<string, string>
    timeoutMs?: number
    onSpawn?: Parameters<typeof runAction>[0]['onSpawn']
    /** Environment over the scene's, e.g. another job's artifact token (`artifacts.newJob()`). */
    env?: Record<string, string>
  }): Promise<RunResult>
  write(files: Record<string, string>): Promise<void>
  /**
   * Seeds pull request `number` in the GitHub stand-in with `files` (a bare path is an added
   * file) and returns its `pull_request` event, built from a real webhook payload.
   */
  pullRequest(
    number: number,
    files: Array<string | { filename: string; status: string }>,
    options?: { action?: string; authorAssociation?: string }
  ): { name: string; payload: object }
  close(): Promise<void>
}

/** The action under test; AVATAR_ACTION_ENTRY names another build (runAction reads it). */
let entry: string | undefined
// The first test file to get here builds (~20–60 s); the others wait for that build.
beforeAll(async () => {
  if (!process.env.AVATAR_ACTION_ENTRY) entry = path.join(await freshBuild(), 'index.js')
}, 600_000)

export const HEAD_SHA = 'a'.repeat(40)
export const BASE_SHA = 'b'.repeat(40)

export async function createScene(
  options: {
    files?: Record<string, string>
    sim?: Parameters<typeof startRequestQueue>[0]
    github?: Parameters<typeof startGitHub>[0]
  } = {}
): Promise<Scene> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'avatar-ws-'))
  const sim = await startRequestQueue({ apiKey: API_KEY, timeScale: 0.05, ...options.sim })
  const github = await startGitHub({ owner: OWNER, repo: REPO, ...options.github })
  const artifacts = await startArtifactService()
  const write = async (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(workspace, file)), { recursive: true })
      await writeFile(path.join(workspace, file), text)
    }
  }
  await write(options.files ?? {})
  const wired = againstStandIns({ sim, github, artifacts, apiKey: API_KEY, pollInterval: '0.05' })
  // The action's processes still running, ended when the scene closes (a test that timed out).
  const running = new Set<ChildProcess>()
  return {
    sim,
    github,
    artifacts,
    workspace,
    write,
    pullRequest(number, files, { action = 'synchronize', authorAssociation = 'MEMBER' } = {}) {
      github.addPullRequest(number, {
        files: files.map(f => (typeof f === 'string' ? { filename: f, status: 'added' } : f)),
        head: { sha: HEAD_SHA, ref: 'feature' },
        base: { sha: BASE_SHA, ref: 'main' }
      })
      const payload = pullRequestEvent({
        number,
        action,
        headSha: HEAD_SHA,
        baseSha: BASE_SHA,
        authorAssociation
      })
      return { name: 'pull_request', payload }
    },
    run: ({ event, inputs, timeoutMs, onSpawn, env }) =>
      runAction({
        entry,
        event,
        workspace,
        repository: `${OWNER}/${REPO}`,
        // No wall-clock limit by default: a busy machine makes a run slow, never wrong. A run that
        // hangs fails the test at Jest's testTimeout, and close() ends it.
        timeoutMs,
        onSpawn: child => {
          running.add(child)
          child.on('close', () => running.delete(child))
          onSpawn?.(child)
        },
        ...wired,
        env: { ...wired.env, ...env },
        inputs: { ...wired.inputs, ...inputs }
      }),
    async close() {
      for (const child of running) child.kill('SIGKILL')
      await Promise.all([sim.close(), github.close(), artifacts.close()])
    }
  }
}

/** Every byte a user could see of a run: logs, outputs, summary, comments, artifact files. */
export async function everythingVisible(scene: Scene, result: RunResult, prNumber?: number) {
  // The runner consumes `::add-mask::` commands: they never reach the visible log.
  const log = result.stdout.replace(/^::add-mask::.*$/gm, '')
  const parts = [log, result.stderr, JSON.stringify(result.outputs), result.summary]
  if (prNumber !== undefined) parts.push(...scene.github.comments(prNumber).map(c => c.body ?? ''))
  for (const artifact of scene.artifacts.artifacts) {
    for (const bytes of artifact.files().values()) parts.push(Buffer.from(bytes).toString('latin1'))
  }
  parts.push(...(await filesUnder(result.dir)))
  return parts.join('\n')
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return Promise.all(
    entries.filter(e => e.isFile()).map(e => readFile(path.join(e.parentPath, e.name), 'latin1'))
  )
}

export function results(result: RunResult): Array<Record<string, unknown>> {
  return JSON.parse(result.outputs.results ?? 'null')
}

/** A Markdown script titled `title` that says `words`. */
export const script = (title: string, words = `Hello team, this is ${title}.`) =>
  `---\ntitle: ${JSON.stringify(title)}\n---\n${words}\n`

/** What one run of the action gave: its exit code, log and outputs. */
export type Run = RunResult
