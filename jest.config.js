// Jest runs the TypeScript sources as native ES modules (the @actions toolkit is ESM-only);
// @swc/jest strips types fast and `tsc --noEmit` does the type checking.
//
// Two projects. `unit`: tests that start no process and no server, held to it by
// __tests__/setup/unit.ts (`npm run test:unit`, the loop to run while you work). `e2e`: the rest,
// the test files named in E2E: the built action against the stand-ins, the stand-ins themselves,
// code under test on real sockets, the type check, the lint and the build (`npm run test:e2e`).
// `npm test` runs both.

/** Test files that start a process or a server (paths from the repository's root). */
export const E2E = [
  '__tests__/e2e/',
  '__tests__/stand-ins/artifact.test.ts',
  '__tests__/stand-ins/github-releases.test.ts',
  '__tests__/stand-ins/github.test.ts',
  '__tests__/stand-ins/request-queue.test.ts',
  '__tests__/github/client.test.ts',
  '__tests__/github/pulls.test.ts',
  '__tests__/publish/release.test.ts',
  '__tests__/queue/client.test.ts',
  '__tests__/queue/generate.test.ts',
  '__tests__/queue/polling.test.ts',
  '__tests__/queue/http.test.ts',
  '__tests__/queue/preflight.test.ts',
  '__tests__/script/fifo.test.ts',
  '__tests__/release.test.ts',
  '__tests__/typecheck.test.ts',
  '__tests__/lint.test.ts',
  '__tests__/dist.test.ts'
]

const escape = (/** @type {string} */ text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const e2ePatterns = E2E.map(file => `<rootDir>/${escape(file)}`)

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }
    ]
  },
  // Names the run for the test processes; see the file.
  globalSetup: '<rootDir>/__tests__/setup/global.js'
}
// No test may write a workflow command to the real output: see the file.
const COMMANDS = '<rootDir>/__tests__/setup/workflow-commands.ts'

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testPathIgnorePatterns: ['/node_modules/', ...e2ePatterns],
      setupFilesAfterEnv: [COMMANDS, '<rootDir>/__tests__/setup/unit.ts']
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: E2E.map(file => `<rootDir>/${file}${file.endsWith('/') ? '**/*.test.ts' : ''}`),
      setupFilesAfterEnv: [COMMANDS]
    }
  ],
  // Only for a test that hangs: an end-to-end test runs the action several times, and a busy
  // machine makes each run slow, never wrong, so no test is bounded by the wall clock but this.
  testTimeout: 600_000,
  // Three test processes per two cores: the end-to-end tests spend most of their time waiting on
  // the action's child process and its simulated clock, so more of them than cores keep the CPU
  // busy. On a machine busy with other work, `npm test -- --maxWorkers=1`.
  maxWorkers: '150%',
  testSequencer: '<rootDir>/__tests__/setup/sequencer.js'
}
