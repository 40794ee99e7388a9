// `npm test` lints and checks the formatting (`npm run lint`, `npm run format` fixes the latter),
// run here so that they share the test run's workers instead of going before it.
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { checkWith } from './setup/tools.js'

describe('the code', () => {
  it.concurrent(
    'passes eslint',
    async () => {
      expect(await checkWith('eslint', ['.'])).toBe('')
    },
    900_000
  )

  it.concurrent(
    'is formatted by prettier (npm run format)',
    async () => {
      expect(await checkWith('prettier', ['--check', '--log-level', 'warn', '.'])).toBe('')
    },
    900_000
  )

  it.concurrent(
    "keeps the workflows and the users' recipes (examples/workflows/) clean by actionlint",
    async () => {
      expect(await checkWith('scripts/lint-workflows.js', [])).toBe('')
    },
    900_000
  )

  it.concurrent(
    'finds what actionlint finds in a workflow, and inputs action.yml does not declare',
    async () => {
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'avatar-lint-')), 'bad.yml')
      await writeFile(
        file,
        [
          'on: push',
          'concurrency: { group: videos, cancel-in-progress: true, queue: max }',
          'jobs:',
          '  videos:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: avatar-video-action/avatar-video-action@v0',
          '        with: { api-key: x, avatar: y }',
          '      - run: echo "${{ github.event.head_commit.message }}"',
          ''
        ].join('\n')
      )
      const report = await checkWith('scripts/lint-workflows.js', [file])
      expect(report).toContain('"github.event.head_commit.message" is potentially untrusted')
      expect(report).toContain(`${file}:8:29: input "avatar" is not declared in action.yml`)
      expect(report).toContain('"queue: max" cannot be used with "cancel-in-progress: true"')
    },
    900_000
  )
})
