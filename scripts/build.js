// `npm run build [-- OUT]`: bundles src/index.ts into dist/ with ncc, then writes a complete
// dist/licenses.txt. ncc's own --license lists only the packages of a split chunk.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, readdirSync, existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.resolve(root, process.argv[2] ?? 'dist')

// ncc leaves files of earlier builds behind (a chunk no longer split off): start empty.
rmSync(out, { recursive: true, force: true })
execFileSync(
  path.join(root, 'node_modules', '.bin', 'ncc'),
  ['build', 'src/index.ts', '-o', out, '--target', 'es2022', '--quiet'],
  { cwd: root, stdio: 'inherit' }
)
writeFileSync(path.join(out, 'licenses.txt'), licenses())

/** Every package the bundle can contain: the production dependency tree, with its license text. */
function licenses() {
  const seen = new Map()
  const visit = (name, from) => {
    const dir = resolvePackage(name, from)
    if (!dir) return
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    const id = `${pkg.name}@${pkg.version}`
    if (seen.has(id)) return
    seen.set(id, { pkg, dir })
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir)
  }
  const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  for (const dep of Object.keys(own.dependencies ?? {})) visit(dep, root)

  return [...seen.values()]
    .sort(
      (a, b) => a.pkg.name.localeCompare(b.pkg.name) || a.pkg.version.localeCompare(b.pkg.version)
    )
    .map(({ pkg, dir }) => {
      const file = readdirSync(dir).find(f => /^(licen[cs]e|copying)/i.test(f))
      const text = file ? readFileSync(path.join(dir, file), 'utf8').trim() : '(no license file)'
      return `${pkg.name} ${pkg.version}\n${licenseName(pkg)}\n${text}\n`
    })
    .join('\n')
}

function licenseName(pkg) {
  return typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN')
}

/** Node's lookup: node_modules folders from the dependent's folder up to the root. */
function resolvePackage(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name)
    if (existsSync(path.join(candidate, 'package.json'))) return candidate
    if (dir === root || dir === path.dirname(dir)) return null
  }
}
