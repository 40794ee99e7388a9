// The action's entry point (dist/index.js is this file, bundled by ncc).
import './lean-heap.js'
import { run } from './main.js'

const { cancelled } = await run()
// A cancelled run has published what it knows; a download or upload it abandoned must not keep
// the process alive until the runner kills it.
if (cancelled) process.exit()
