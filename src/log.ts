// The job log is read by the runner as well as by people: a line that starts with `::` (or holds
// `##[`) is a workflow command. Text from a pull request or a remote reaches the log only through
// `logText`, so it can neither start a line of its own nor be read as a command.
import * as core from '@actions/core'

/**
 * `value` for a log line: `%`, CR and LF percent-encoded as the toolkit does for command data (so
 * the encoding stays unambiguous), other control characters and bidirectional overrides too, and
 * the two-character sequences that open a command (`::`, `##[`) broken the same way.
 */
export function logText(value: string): string {
  return (
    String(value)
      // eslint-disable-next-line no-control-regex -- encoding control characters is the point
      .replace(/[%\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, percent)
      .replace(/::/g, ':%3A')
      .replace(/##\[/g, '#%23[')
  )
}

/**
 * A line of the job log. Paths, titles and whatever the queue or GitHub said reach it only through
 * logText, so that no script name can start a workflow command of its own.
 */
export const info = (message: string) => core.info(logText(message))

function percent(ch: string): string {
  return Array.from(
    Buffer.from(ch, 'utf8'),
    byte => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  ).join('')
}

/**
 * The collapsed group of log lines now open, if any. The one piece of state kept for the process
 * rather than the run: it mirrors the process's one job log, which every part writes to.
 */
const groups: { open: symbol | null } = { open: null }

/**
 * Opens a collapsed group of log lines titled `title` (the action's own words: untrusted parts go
 * through logText). Returns its end, which ends it only while it is still the open group: work
 * abandoned on cancellation must not close, long after, a group opened since.
 */
export function startGroup(title: string): () => void {
  endOpenGroup()
  const group = Symbol(title)
  groups.open = group
  core.startGroup(title)
  return () => {
    if (groups.open === group) endOpenGroup()
  }
}

/** Ends the open group: a warning written now must not be folded away under it. */
export function endOpenGroup(): void {
  if (!groups.open) return
  groups.open = null
  core.endGroup()
}
