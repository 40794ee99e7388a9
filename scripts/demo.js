// `npm run demo`: the whole job, offline. Runs the built action on examples/ as a pull request
// that adds every script, against the request-queue simulator and local GitHub stand-ins.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { runAction, ROOT } from '../stand-ins/runner.js'
import { commentPage, escapeHtml } from './comment-page.js'
import { startOfflineJob } from './offline-job.js'

const out = path.join(ROOT, '.demo')

const job = await startOfflineJob()
const { sim, github, artifacts, pr: PR, scripts } = job
try {
  console.log(`Running dist/index.js on ${scripts.length} scripts in examples/ …\n`)
  const started = Date.now()
  const run = await runAction(job.run)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)

  await rm(out, { recursive: true, force: true })
  await mkdir(out, { recursive: true })
  const comment = github.comments(PR).at(-1)?.body ?? ''
  await writeFile(path.join(out, 'comment.md'), comment)
  await writeFile(path.join(out, 'summary.md'), run.summary)
  await writeFile(path.join(out, 'log.txt'), run.stdout + run.stderr)
  const extracted = []
  for (const artifact of artifacts.artifacts) {
    for (const [file, bytes] of artifact.files()) {
      const dest = path.join(out, 'artifact', artifact.name, file)
      await mkdir(path.dirname(dest), { recursive: true })
      await writeFile(dest, bytes)
      extracted.push(path.relative(ROOT, dest))
    }
  }

  const results = JSON.parse(run.outputs.results ?? '[]')
  const page = path.join(out, 'comment.html')
  await writeFile(page, await offlinePage(comment, results, extracted))
  console.log(runnerView(run.stdout))
  console.log(
    `\nThe action exited with ${run.code} after ${seconds} s; ${sim.billable} requests were billed.\n`
  )
  for (const r of results) console.log(`  ${r.status.padEnd(8)} ${r.file}  ${r.request_id ?? ''}`)
  console.log(`
What a reviewer would see:
  comment   ${path.relative(ROOT, page)}  (open it in a browser: ${pathToFileURL(page).href})
            ${path.relative(ROOT, path.join(out, 'comment.md'))}
  summary   ${path.relative(ROOT, path.join(out, 'summary.md'))}
  log       ${path.relative(ROOT, path.join(out, 'log.txt'))}
  artifact  ${extracted.join('\n            ')}
`)
  process.exitCode = run.code ?? 1
} finally {
  await job.close()
}

/**
 * The comment as GitHub would show it, with its thumbnails and video links pointing at the
 * artifact's copies in .demo/ (the simulator that served them is gone once the demo ends), and
 * a player for each video below it.
 * @param {string} comment
 * @param {Array<{ file: string, video_url: string | null, thumbnail_url: string | null,
 *   video_file: string | null, thumbnail_file: string | null }>} results the action's `results`
 * @param {string[]} extracted artifact files, relative to the repository
 */
async function offlinePage(comment, results, extracted) {
  const local = (/** @type {string | null} */ file) => {
    const found = file && extracted.find(e => e.split(path.sep).join('/').endsWith(`/${file}`))
    return (
      found &&
      path.relative(out, path.join(ROOT, found)).split(path.sep).map(encodeURIComponent).join('/')
    )
  }
  let markdown = comment
  const players = []
  for (const result of results) {
    // Where the action says it put the files in the artifact.
    const video = local(result.video_file)
    const thumbnail = local(result.thumbnail_file)
    for (const [url, file] of [
      [result.video_url, video],
      [result.thumbnail_url, thumbnail]
    ]) {
      // The comment writes its URLs HTML-escaped, in attributes.
      if (url && file) markdown = markdown.split(escapeHtml(url)).join(file).split(url).join(file)
    }
    if (video) {
      const poster = thumbnail ? ` poster="${thumbnail}"` : ''
      players.push(
        `<figure><video controls preload="metadata" src="${video}"${poster}></video>` +
          `<figcaption>${escapeHtml(result.file)}</figcaption></figure>`
      )
    }
  }
  // The simulator is gone once the demo ends: a link to it would show a broken image.
  const stale = /http:\/\/127\.0\.0\.1:\d+\/media\/[^"\s)]+/.exec(markdown)
  if (stale) throw new Error(`The demo's comment.html would link the gone simulator: ${stale[0]}`)
  const after = players.length
    ? `<p>Not part of the comment: the videos of the demo's artifact, from <code>.demo/artifact/</code>.</p>${players.join('')}`
    : ''
  return commentPage(markdown, { after })
}

/**
 * The log as the runner shows it: each group one line under its title, collapsed, and no other
 * workflow command.
 * @param {string} stdout
 */
function runnerView(stdout) {
  const shown = []
  let folded = 0
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::group::')) {
      shown.push(`▸ ${line.slice('::group::'.length)}`)
      folded = 1
    } else if (line.startsWith('::endgroup::')) folded = 0
    else if (line && !line.startsWith('::') && !folded) shown.push(line)
  }
  return shown.map(l => `  │ ${l}`).join('\n')
}
