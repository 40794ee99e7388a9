// The order test files start in. First the unit tests: quick, and some of them time what they
// test (retries, timeouts against the simulator), so they run before the CPU-heavy work. Then
// the long checks (type check, lint, and the build of src/ that dist.test and the end-to-end
// tests share), then the end-to-end tests, which mostly wait on the action and overlap well.
// Within each group Jest's own order holds: failed last time first, then slowest first (by the
// last run's times, or by file size on a first run).
import Sequencer from '@jest/test-sequencer'

const GROUPS = [/\/__tests__\/(typecheck|lint|dist)\.test\.ts$/, /\/__tests__\/e2e\//]

const group = (/** @type {{ path: string }} */ test) =>
  GROUPS.findIndex(pattern => pattern.test(test.path.split('\\').join('/'))) + 1

export default class UnitsFirst extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  async sort(tests) {
    const sorted = await super.sort(tests)
    return [...sorted].sort((a, b) => group(a) - group(b))
  }
}
