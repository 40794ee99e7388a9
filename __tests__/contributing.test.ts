// CONTRIBUTING.md names, for each folder of src/, the test files that cover it: the map must name
// every folder and only test files that exist, so it cannot drift from the house.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from '../stand-ins/runner.js'

const contributing = readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8')

/** The map's rows: the folder (`src/x/`, or `src/*.ts` for the files at the top) and the paths. */
const rows = contributing
  .split('\n')
  .filter(line => line.startsWith('| `src/'))
  .map(line => {
    const [folder, ...tests] = [...line.matchAll(/`([^`]+)`/g)].map(m => m[1]!)
    return { folder: folder!, tests }
  })

describe('the map of tests in CONTRIBUTING.md', () => {
  it('has a row for every folder of src/ and for the files at its top', () => {
    const folders = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter(entry => entry.isDirectory())
      .map(entry => `src/${entry.name}/`)
    expect(rows.map(row => row.folder).sort()).toEqual([...folders, 'src/*.ts'].sort())
  })

  it('names only test files and folders that exist', () => {
    const named = rows.flatMap(row => row.tests)
    expect(named.length).toBeGreaterThan(rows.length)
    const missing = named.filter(
      file =>
        !file.startsWith('__tests__/') ||
        !(file.endsWith('/') || file.endsWith('.test.ts')) ||
        !existsSync(path.join(ROOT, file))
    )
    expect(missing).toEqual([])
  })
})
