// The action's entry point (dist/index.js is this file, bundled by ncc). Started again as a worker
// thread, it parses scripts for the action instead (src/script/guard.ts).
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import './lean-heap.js'
import { run } from './main.js'
import { PARSER_ROLE, serveParsing } from './script/index.js'

if (!isMainThread && parentPort && workerData?.role === PARSER_ROLE) {
  serveParsing(parentPort)
} else {
  const { cancelled } = await run({ entry: new URL(import.meta.url) })
  // A cancelled run has published what it knows; a download or upload it abandoned must not keep
  // the process alive until the runner kills it.
  if (cancelled) process.exit()
}
