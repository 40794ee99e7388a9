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
  testTimeout: 60000
}
