// Runs a development tool of node_modules/.bin, or one of the project's scripts/, on the
// repository, for the checks that `npm test` runs as tests.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { ROOT } from '../../stand-ins/runner.js'

/** What the tool printed when it failed ('' when it passed), to show as the test's failure. */
export function checkWith(tool: string, args: string[]): Promise<string> {
  const [bin, argv] = tool.startsWith('scripts/')
    ? [process.execPath, [tool, ...args]]
    : [path.join(ROOT, 'node_modules', '.bin', tool), args]
  return new Promise(resolve => {
    execFile(bin, argv, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve(error ? `${tool} ${args.join(' ')} failed:\n${stdout}${stderr}`.trim() : '')
    })
  })
}
