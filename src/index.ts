// The action's entry point (dist/index.js is this file, bundled by ncc).
import './lean-heap.js'
import { run } from './main.js'

await run()
