// Runs once in Jest's parent process, before any test file: every test process inherits what it
// puts in process.env.
import { randomUUID } from 'node:crypto'
import { forgetOtherBuilds, inputsHash } from '../../stand-ins/fresh-build.js'
import { neutralize } from './commands.js'

export default async function globalSetup() {
  // Names this run: a build of src/ that failed in it is not tried again by each test process
  // (stand-ins/fresh-build.js).
  process.env.AVATAR_TEST_RUN = randomUUID()
  // The sources as they are now are what this run builds and tests, in every test process: an
  // edit made while it runs is built by the next run, and never mixes two versions in one.
  process.env.AVATAR_TEST_BUILD = await inputsHash()
  await forgetOtherBuilds(process.env.AVATAR_TEST_BUILD)
  // Jest's own report quotes what tests printed and compared: no line of it may act as a
  // workflow command in the project's CI (each test process has its own guard, see the file).
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream)
    stream.write = (chunk, ...rest) =>
      write(typeof chunk === 'string' ? neutralize(chunk) : chunk, ...rest)
  }
}
