// dist/ is what runners execute: it must be exactly what `npm run build` makes from src/. The
// build compared is the one the end-to-end tests run (stand-ins/fresh-build.js).
import { describe, expect, it } from '@jest/globals'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { freshBuild } from '../stand-ins/fresh-build.js'
import { ROOT } from '../stand-ins/runner.js'

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
    const [fresh, committed] = await Promise.all([
      tree(await freshBuild()),
      tree(path.join(ROOT, 'dist'))
    ])
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort())
    const stale = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([f]) => f)
    expect(stale).toEqual([])
  }, 600_000)
})
