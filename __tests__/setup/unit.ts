// What makes a unit test (jest.config.js, project `unit`): it starts no process and no server, so
// it runs in milliseconds and cannot wait on anything but its own code. This setup holds every
// unit test file to that: starting a child process or listening on a socket throws, naming the
// way out. Put back after the file, since a test process also runs files of the `e2e` project.
import { afterAll } from '@jest/globals'

const childProcess = process.getBuiltinModule('node:child_process')
const { Server } = process.getBuiltinModule('node:net')
const { syncBuiltinESMExports } = process.getBuiltinModule('node:module')

const STARTERS = [
  'spawn',
  'spawnSync',
  'exec',
  'execSync',
  'execFile',
  'execFileSync',
  'fork'
] as const

function refuse(what: string): never {
  throw new Error(
    `A unit test ${what}. Starting a process or a server makes it an end-to-end test: give it its ` +
      'own file and add that file to E2E in jest.config.js (see CONTRIBUTING.md, "Tests").'
  )
}

const originals = new Map<string, unknown>(STARTERS.map(name => [name, childProcess[name]]))
const listen = Object.getOwnPropertyDescriptor(Server.prototype, 'listen')!

for (const name of STARTERS) {
  Object.assign(childProcess, { [name]: () => refuse(`started a child process (${name})`) })
}
Object.defineProperty(Server.prototype, 'listen', {
  ...listen,
  value: () => refuse('started a server (listen)')
})
// ES module imports of node:child_process read the module's exports: keep them in step.
syncBuiltinESMExports()

afterAll(() => {
  for (const [name, original] of originals) Object.assign(childProcess, { [name]: original })
  Object.defineProperty(Server.prototype, 'listen', listen)
  syncBuiltinESMExports()
})
