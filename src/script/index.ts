// Script files in, validated request-queue payloads out: the only door into src/script.
export { loadScript, MAX_SCRIPT_BYTES } from './load.js'
export { parseScript } from './parse.js'
export { hashRequest } from './hash.js'
export { createScriptParser, serveParsing, PARSER_ROLE } from './guard.js'
export { annotate } from './annotate.js'

import type { Problem } from '../types.js'

/** A problem as one line, as the outputs, the comment and the README show it. */
export function problemText(problem: Problem): string {
  const key = problem.key ? ` ${problem.key}` : ''
  return `${problem.file}:${problem.line}:${problem.column}${key}: ${problem.message}`
}
