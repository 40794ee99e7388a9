// `node scripts/release.js vX.Y.Z [--no-push]`: tags a release after checking it is one, and moves
// the major tag vX to it, so workflows pinned to @vX get it. In the manner of the template's
// script/release (actions/typescript-action), without the prompts.
//
// Refuses unless: the tag is new and newer than every release, the working tree is clean,
// package.json says X.Y.Z, CHANGELOG.md has a section for it, and dist/ is exactly what
// `scripts/build.js` makes from the committed sources (runners execute dist/, not src/).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const SEMVER = /^v(\d+)\.(\d+)\.(\d+)$/

class Refusal extends Error {}

function main(argv) {
  const tag = argv.find(a => !a.startsWith('--'))
  const push = !argv.includes('--no-push')
  if (!tag) throw new Refusal('Usage: node scripts/release.js vX.Y.Z [--no-push]')
  const version = SEMVER.exec(tag)
  if (!version) throw new Refusal(`${tag} is not a release tag: write vX.Y.Z, e.g. v1.2.3`)
  const major = `v${version[1]}`
  const root = git(process.cwd(), 'rev-parse', '--show-toplevel').trim()

  if (git(root, 'status', '--porcelain').trim()) {
    throw new Refusal('The working tree has changes: commit or stash them first')
  }
  const releases = git(root, 'tag', '--list', 'v*.*.*')
    .split('\n')
    .filter(t => SEMVER.test(t))
  if (releases.includes(tag)) throw new Refusal(`${tag} exists already`)
  const newer = releases.filter(t => compare(t, tag) > 0)
  if (newer.length) throw new Refusal(`${tag} is older than ${newer.sort(compare).at(-1)}`)

  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  if (pkg.version !== tag.slice(1)) {
    throw new Refusal(
      `package.json says version ${pkg.version}: set it to ${tag.slice(1)} and commit`
    )
  }
  const changelog = path.join(root, 'CHANGELOG.md')
  const heading = new RegExp(`^## v?${tag.slice(1).replaceAll('.', '\\.')}(\\s|$)`, 'm')
  if (!existsSync(changelog) || !heading.test(readFileSync(changelog, 'utf8'))) {
    throw new Refusal(`CHANGELOG.md has no section "## ${tag}": say what the release changes`)
  }
  const stale = staleDist(root)
  if (stale.length) {
    throw new Refusal(
      `dist/ is not the build of the committed sources (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}): run npm run build and commit dist/`
    )
  }

  git(root, 'tag', '--annotate', tag, '--message', `${tag} Release`)
  // The major tag follows every release of its major; on a new major it is created.
  git(root, 'tag', '--force', '--annotate', major, '--message', `Sync ${major} tag with ${tag}`)
  console.log(`Tagged ${tag}, and ${major} now points to it`)
  if (!push) {
    console.log(
      `Not pushed. To publish: git push origin ${tag} && git push --force origin ${major}`
    )
    return
  }
  git(root, 'push', 'origin', tag)
  git(root, 'push', '--force', 'origin', major)
  console.log(`Pushed ${tag} and ${major} to origin`)
}

/** The files of dist/ that differ from (or are missing in) a fresh build of the sources. */
function staleDist(root) {
  const out = mkdtempSync(path.join(tmpdir(), 'release-dist-'))
  try {
    try {
      execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js'), out], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024
      })
    } catch (error) {
      throw new Refusal(`The build failed:\n${error.stderr || error.stdout || error.message}`)
    }
    const fresh = files(out)
    const committed = files(path.join(root, 'dist'))
    const names = new Set([...fresh.keys(), ...committed.keys()])
    return [...names].filter(name => fresh.get(name) !== committed.get(name)).sort()
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

function files(dir) {
  const found = new Map()
  if (!existsSync(dir)) return found
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const full = path.join(entry.parentPath, entry.name)
    const name = `dist/${path.relative(dir, full).split(path.sep).join('/')}`
    // As text of bytes, so that two copies compare equal (buffers compare by identity).
    found.set(name, readFileSync(full).toString('latin1'))
  }
  return found
}

function compare(a, b) {
  const [x, y] = [SEMVER.exec(a), SEMVER.exec(b)]
  for (let i = 1; i <= 3; i++) {
    if (Number(x[i]) !== Number(y[i])) return Number(x[i]) - Number(y[i])
  }
  return 0
}

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

try {
  main(process.argv.slice(2))
} catch (error) {
  console.error(error instanceof Refusal ? `Not released: ${error.message}` : error)
  process.exitCode = 1
}
