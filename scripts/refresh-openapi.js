// `npm run refresh-openapi [-- --version X] [-- ROUTE|OPERATION-ID …]`: rewrites
// stand-ins/openapi/github-extract.json from GitHub's REST description in @octokit/openapi.
//
// The routes extracted are the ones the GitHub stand-in serves (HANDLERS in stand-ins/github.js),
// plus any given here, as `GET /repos/{owner}/{repo}/releases` or as an operation id
// (`repos/list-releases`). The package (~400 MB unpacked) is not a dependency: this script
// downloads its tarball with `npm pack` and reads the one file it needs. Without --version it
// reads the version the extract already records, so adding a route changes nothing else;
// `--version latest` moves to GitHub's newest description.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { IMPLEMENTED_ROUTES } from '../stand-ins/github.js'
import { EXTRACT_FILE } from '../stand-ins/github-openapi.js'
import { extractFrom, serialize } from '../stand-ins/openapi/extract.js'

const PACKAGE = '@octokit/openapi'
const FILE = 'generated/api.github.com.deref.json'

const { values, positionals } = parseArgs({
  options: { version: { type: 'string' } },
  allowPositionals: true
})
const recorded = existsSync(EXTRACT_FILE)
  ? JSON.parse(readFileSync(EXTRACT_FILE, 'utf8')).source.version
  : 'latest'
const wanted = [...new Set([...IMPLEMENTED_ROUTES, ...positionals])]

const work = mkdtempSync(path.join(tmpdir(), 'refresh-openapi-'))
try {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const spec = `${PACKAGE}@${values.version ?? recorded}`
  console.log(`Downloading ${spec} …`)
  const [packed] = JSON.parse(
    execFileSync(npm, ['pack', spec, '--json', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      shell: process.platform === 'win32'
    })
  )
  execFileSync('tar', ['-xzf', packed.filename, `package/${FILE}`], { cwd: work })
  const description = JSON.parse(readFileSync(path.join(work, 'package', FILE), 'utf8'))
  const extract = extractFrom(description, wanted, {
    package: PACKAGE,
    version: packed.version,
    file: FILE,
    integrity: packed.integrity ?? null
  })
  writeFileSync(EXTRACT_FILE, serialize(extract))
  const size = (readFileSync(EXTRACT_FILE).length / 1e3).toFixed(0)
  console.log(
    `${path.relative(process.cwd(), EXTRACT_FILE)}: ${PACKAGE}@${packed.version}, ` +
      `${extract.routes.length} routes, ${Object.keys(extract.operations).length} with schemas, ${size} kB`
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
