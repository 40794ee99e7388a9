// `npm test` lints and checks the formatting (`npm run lint`, `npm run format` fixes the latter),
// run here so that they share the test run's workers instead of going before it.
import { describe, expect, it } from '@jest/globals'
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
})
