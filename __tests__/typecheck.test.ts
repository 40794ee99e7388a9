// `npm test` type-checks everything (the Jest transform only strips types): `npm run typecheck`,
// run here so that it shares the test run's workers instead of going before it.
import { expect, it } from '@jest/globals'
import { checkWith } from './setup/tools.js'

it('type-checks (npm run typecheck)', async () => {
  expect(await checkWith('tsc', ['--noEmit', '--pretty', 'false'])).toBe('')
}, 900_000)
