// Runs once in Jest's parent process, before any test file: every test process inherits what it
// puts in process.env.
import { randomUUID } from 'node:crypto'

export default function globalSetup(): void {
  // Names this run: a build of src/ that failed in it is not tried again by each test process
  // (stand-ins/fresh-build.js).
  process.env.AVATAR_TEST_RUN = randomUUID()
}
