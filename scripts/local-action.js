// `npm run local-action`: the demo's job (scripts/offline-job.js) run from src/main.ts under
// GitHub's own @github/local-action, which runs the TypeScript sources (no build) with the
// toolkit stubbed, so a debugger stops at breakpoints in src/. It writes the runner's
// environment, pointing at the stand-ins, to .local-action/.env.
// `npm run local-action -- --serve` only starts the stand-ins and writes that file, and waits:
// start `local-action run . src/main.ts .local-action/.env` from your debugger (CONTRIBUTING.md).
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ROOT, runnerEnvironment } from '../stand-ins/runner.js'
import { startOfflineJob } from './offline-job.js'

const LOCAL_ACTION = '@github/local-action@7.0.1'
const serve = process.argv.includes('--serve')
const folder = path.join(ROOT, '.local-action')
const envFile = path.join(folder, '.env')

const job = await startOfflineJob()
try {
  const { env } = await runnerEnvironment(job.run)
  // PATH and HOME stay the caller's; local-action's own stand-in for the artifact service keeps
  // the uploaded files here.
  const runner = Object.fromEntries(
    Object.entries(env).filter(([name]) => name !== 'PATH' && name !== 'HOME')
  )
  runner.LOCAL_ACTION_WORKSPACE = job.run.workspace
  runner.LOCAL_ACTION_ARTIFACT_PATH = path.join(folder, 'artifacts')
  await mkdir(runner.LOCAL_ACTION_ARTIFACT_PATH, { recursive: true })
  await writeFile(envFile, dotenv(runner))
  // Not a devDependency: its own toolkit would move the @azure packages that dist/ bundles.
  const command = [LOCAL_ACTION, 'run', '.', 'src/main.ts', path.relative(ROOT, envFile)]

  if (serve) {
    console.log(`The stand-ins are up, and ${path.relative(ROOT, envFile)} points at them. Run:\n`)
    console.log(`  npx --yes ${command.join(' ')}\n\nfrom your debugger, then Ctrl-C here.`)
    await new Promise(resolve => process.once('SIGINT', resolve))
  } else {
    const child = spawn('npx', ['--yes', ...command], {
      cwd: ROOT,
      stdio: 'inherit'
    })
    const code = await new Promise(resolve => child.on('close', resolve))
    // local-action's @actions/core prints the outputs (above) instead of writing GITHUB_OUTPUT.
    const comments = job.github.comments(job.pr).length
    console.log(
      `\nlocal-action exited with ${code}; ${job.sim.billable} requests were billed, ` +
        `${comments} comment(s) written on pull request ${job.pr}.`
    )
    process.exitCode = code === 0 && comments > 0 ? 0 : 1
  }
} finally {
  await job.close()
}

/**
 * A dotenv file of `env`: each value quoted, so paths with spaces and JSON survive.
 * @param {Record<string, string>} env
 */
function dotenv(env) {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
    .join('')
}
