// The job `npm run demo` and `npm run local-action` run, offline: a pull request that adds every
// script in examples/, against the request-queue simulator and local GitHub stand-ins.
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { startRequestQueue } from '../stand-ins/request-queue.js'
import { startGitHub } from '../stand-ins/github.js'
import { startArtifactService } from '../stand-ins/artifact.js'
import { pullRequestEvent } from '../stand-ins/events.js'
import { againstStandIns, ROOT } from '../stand-ins/runner.js'

const KEY = 'demo-key-not-a-secret'
const PR = 1

/** Starts the stand-ins; `close()` stops them. */
export async function startOfflineJob() {
  const workspace = path.join(ROOT, 'examples')
  // A simulated second lasts 20 ms: a one-minute video renders in about a second.
  const sim = await startRequestQueue({ apiKey: KEY, timeScale: 0.02 })
  const github = await startGitHub()
  const artifacts = await startArtifactService()
  const scripts = (await readdir(path.join(workspace, 'videos'), { recursive: true }))
    .filter(f => /\.(md|txt|ya?ml|json)$/.test(f))
    .map(f => `videos/${f.split(path.sep).join('/')}`)
  github.addPullRequest(PR, { files: scripts.map(filename => ({ filename, status: 'added' })) })
  return {
    sim,
    github,
    artifacts,
    pr: PR,
    scripts,
    /** What runAction and runnerEnvironment take. */
    run: {
      event: {
        name: 'pull_request',
        payload: pullRequestEvent({ number: PR, authorAssociation: 'OWNER' })
      },
      workspace,
      ...againstStandIns({ sim, github, artifacts, apiKey: KEY, pollInterval: '0.2' })
    },
    close: () => Promise.all([sim.close(), github.close(), artifacts.close()])
  }
}
