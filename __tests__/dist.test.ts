// dist/ is what runners execute: it must be exactly what `npm run build` makes from src/.
import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../stand-ins/runner.js'

const run = promisify(execFile)

async function tree(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const files = new Map<string, string>()
  for (const entry of entries.filter(e => e.isFile())) {
    const full = path.join(entry.parentPath, entry.name)
    files.set(path.relative(dir, full), await readFile(full, 'utf8'))
  }
  return files
}

describe('dist/', () => {
  it('is the current build of src/ (run `npm run build` and commit dist/)', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'avatar-dist-'))
    await run(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), out], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024
    })

    const [fresh, committed] = await Promise.all([tree(out), tree(path.join(ROOT, 'dist'))])
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort())
    const stale = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([f]) => f)
    expect(stale).toEqual([])
  }, 180_000)
})
