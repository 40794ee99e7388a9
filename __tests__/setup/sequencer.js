// The order test files start in, for a run that ends soonest on few cores: the long, CPU-heavy
// checks first (type check, lint, the build that dist.test and the end-to-end tests share), then
// the end-to-end tests, which mostly wait on the action and can overlap, then the quick unit
// tests, which fill the gaps. Within each group Jest's own order holds: failed last time first,
// then slowest first (by the last run's times, or file size on a first run).
import Sequencer from '@jest/test-sequencer'

const GROUPS = [/\/__tests__\/(typecheck|lint|dist)\.test\.ts$/, /\/__tests__\/e2e\//]

const group = (/** @type {{ path: string }} */ test) => {
  const index = GROUPS.findIndex(pattern => pattern.test(test.path.split('\\').join('/')))
  return index === -1 ? GROUPS.length : index
}

export default class ChecksFirst extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  async sort(tests) {
    const sorted = await super.sort(tests)
    return [...sorted].sort((a, b) => group(a) - group(b))
  }
}
