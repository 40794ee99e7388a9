// What the runner of a GitHub Actions job takes for a workflow command, in a line of a step's
// output: `::name::`, `::name props::` or the older `##[name]`, after any leading whitespace (the
// runner trims it). Shared by the guard of each test process and by Jest's parent process.

export const COMMAND = /^\s*(?:::[A-Za-z][\w-]*(?: [^\n]*?)?::|##\[)/

/** Shown before a command line that is printed as text: the line no longer starts a command. */
const NOT_A_COMMAND = '(not run) '

/**
 * `text` with each line that would be a command made plain text, for output that must keep its
 * lines (Jest's own report quotes what tests compared and printed).
 */
/** @param {string} text @returns {string} */
export function neutralize(text) {
  if (!text.includes('::') && !text.includes('##[')) return text
  return text
    .split(/(?<=\n)/)
    .map(line => (COMMAND.test(line) ? NOT_A_COMMAND + line.trimStart() : line))
    .join('')
}
