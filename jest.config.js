// Jest runs the TypeScript sources as native ES modules (the @actions toolkit is ESM-only);
// @swc/jest strips types fast and `tsc --noEmit` does the type checking.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // No test may write a workflow command to the real output: see the file.
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup/workflow-commands.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }
    ]
  },
  // Generous: an end-to-end test runs the action several times, and CI machines are busy.
  testTimeout: 120_000,
  // Names the run for the test processes; see the file.
  globalSetup: '<rootDir>/__tests__/setup/global.js',
  // Three test processes per two cores: the end-to-end tests spend most of their time waiting on
  // the action's child process and its simulated clock, so more of them than cores keep the CPU
  // busy; many more would starve the tests that time what they test. On a machine busy with
  // other work, `npm test -- --maxWorkers=1`.
  maxWorkers: '150%',
  testSequencer: '<rootDir>/__tests__/setup/sequencer.js'
}
