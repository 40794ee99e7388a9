// Writes schema/script.schema.json, the JSON Schema editors use for YAML and JSON scripts, from
// the zod definition in src/script/schema.js: `node scripts/generate-schema.js` after changing
// that file (a test fails while the two differ).
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { scriptJsonSchema } from '../src/script/schema.js'

const target = fileURLToPath(new URL('../schema/script.schema.json', import.meta.url))
const options = await prettier.resolveConfig(target)
const json = await prettier.format(JSON.stringify(scriptJsonSchema()), {
  ...options,
  parser: 'json'
})
await mkdir(path.dirname(target), { recursive: true })
await writeFile(target, json)
console.log(`Wrote ${path.relative(process.cwd(), target)}`)
