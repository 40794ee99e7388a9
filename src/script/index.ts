// Script files in, validated request-queue payloads out: the only door into src/script.
export { loadScript, MAX_SCRIPT_BYTES } from './load.js'
export { parseScript } from './parse.js'
export { hashRequest } from './hash.js'
