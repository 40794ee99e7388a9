// `node scripts/screenshot.js [out.png]`: the picture of the sticky comment in the README. Runs the
// built action twice on sample scripts against the local stand-ins (the second run changes one
// script, so the others are reused), renders the comment with a GitHub-flavoured Markdown renderer
// and GitHub's CSS, and screenshots it with headless Chromium while the simulator still serves
// the thumbnails. Needs `chromium` on the PATH and a colour emoji font (Debian:
// `apt-get install chromium fonts-noto-color-emoji`).
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { startRequestQueue } from '../stand-ins/request-queue.js'
import { startGitHub } from '../stand-ins/github.js'
import { startArtifactService } from '../stand-ins/artifact.js'
import { pullRequestEvent } from '../stand-ins/events.js'
import { againstStandIns, runAction, ROOT } from '../stand-ins/runner.js'
import { commentPage, WIDTH } from './comment-page.js'

const KEY = 'screenshot-key-not-a-secret'
const PR = 7
const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'comment.png'))
const chromium = process.env.CHROMIUM ?? 'chromium'

/** Beside examples/: one script the remote refuses to render, one that is not valid. */
const EXTRA_SCRIPTS = {
  'videos/product/roadmap.md': `---\ntitle: Roadmap 2027\navatar: Daisy-retired\n---\nWhat comes next, quarter by quarter.\n`,
  'videos/outro.yml': `title: Outro\nspeed: 2\ncolour: blue\nscenes:\n  - text: Thanks for watching!\n`
}
const REFUSED = 'Avatar "Daisy-retired" is no longer available for this account (code 40417)'

const workspace = await mkdtemp(path.join(tmpdir(), 'avatar-screenshot-'))
const sim = await startRequestQueue({
  apiKey: KEY,
  timeScale: 0.02,
  plan: payload =>
    JSON.stringify(payload).includes('Daisy-retired')
      ? { outcome: 'failed', reason: REFUSED }
      : undefined
})
const github = await startGitHub()
const artifacts = await startArtifactService()
try {
  await cp(path.join(ROOT, 'examples'), workspace, { recursive: true })
  for (const [file, text] of Object.entries(EXTRA_SCRIPTS)) {
    await writeFile(path.join(workspace, file), text)
  }
  // The welcome script is on the base branch already; the pull request changes it and adds the rest.
  const base = await commitBase(workspace, 'videos/welcome.md')
  const added = [
    'videos/product/pricing.json',
    'videos/product/release-notes.yml',
    ...Object.keys(EXTRA_SCRIPTS)
  ]
  github.addPullRequest(PR, {
    files: [
      { filename: 'videos/welcome.md', status: 'modified' },
      ...added.map(filename => ({ filename, status: 'added' }))
    ]
  })
  await runOnce(base)
  const welcome = path.join(workspace, 'videos/welcome.md')
  const words = await readFile(welcome, 'utf8')
  await writeFile(welcome, words.replace(/\bminute\b/, 'moment').concat('\nSee you next week.\n'))
  await runOnce(base)

  const comment = github.comments(PR).at(-1)?.body ?? ''
  const page = path.join(workspace, 'comment.html')
  await writeFile(page, await commentPage(comment, { openFailures: true }))
  await screenshot(page, out)
  console.log(`Wrote ${path.relative(process.cwd(), out)}`)
} finally {
  await Promise.all([sim.close(), github.close(), artifacts.close()])
  await rm(workspace, { recursive: true, force: true })
}

/** Commits `file` of `workspace` as the pull request's base: the comment shows its earlier video. */
async function commitBase(workspace, file) {
  const git = (...args) =>
    promisify(execFile)(
      'git',
      ['-c', 'user.name=Octocat', '-c', 'user.email=octocat@github.com', ...args],
      {
        cwd: workspace
      }
    )
  await git('init', '-q')
  await git('add', file)
  await git('commit', '-q', '-m', 'The welcome video')
  return (await git('rev-parse', 'HEAD')).stdout.trim()
}

async function runOnce(baseSha) {
  const run = await runAction({
    event: { name: 'pull_request', payload: pullRequestEvent({ number: PR, baseSha }) },
    workspace,
    ...againstStandIns({ sim, github, artifacts, apiKey: KEY, pollInterval: '0.2' })
  })
  if (run.stderr) throw new Error(`The action wrote to stderr:\n${run.stderr}`)
}

/**
 * Chromium shoots the window, not the page: a first pass reads the page's height from the DOM it
 * dumps, a second shoots a window that tall.
 */
async function screenshot(page, png) {
  const run = promisify(execFile)
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--hide-scrollbars',
    '--virtual-time-budget=5000'
  ]
  const url = pathToFileURL(page).href
  const { stdout } = await run(chromium, [
    ...flags,
    `--window-size=${WIDTH},800`,
    '--dump-dom',
    url
  ])
  const height = Number(/data-height="(\d+)"/.exec(stdout)?.[1] ?? 1200)
  await run(chromium, [...flags, `--window-size=${WIDTH},${height}`, `--screenshot=${png}`, url])
}
