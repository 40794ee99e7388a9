// The job log is read by the runner as well as by people: a line that starts with `::` (or holds
// `##[`) is a workflow command. Text from a pull request or a remote reaches the log only through
// `logText`, so it can neither start a line of its own nor be read as a command. And every message
// is bounded here, whatever a remote answered: a model listing 100k parameters once made one
// warning of 4 MB.
import * as core from '@actions/core'

/** The most characters of one message the log takes; the rest is left out, and counted. */
export const MAX_LOG_MESSAGE = 8000

/** The most items of a remote's list a message names; the rest are counted. */
export const MAX_LISTED = 10

/** The most characters of one listed item shown (a parameter name, a model id). */
const MAX_ITEM = 80

/**
 * `message` as it may reach the log: unchanged up to `max` characters (code points); past that,
 * its beginning (which says what it is about) and its end (what follows from it), with how many
 * characters were left out between them.
 */
export function bounded(message: string, max = MAX_LOG_MESSAGE): string {
  const chars = Array.from(String(message))
  if (chars.length <= max) return String(message)
  const tail = Math.floor(max / 4)
  const left = chars.length - max
  return `${chars.slice(0, max - tail).join('')} … (${left} characters left out) … ${chars.slice(-tail).join('')}`
}

/** The most characters of a remote's own words (an error's message) quoted in a message. */
const MAX_EXCERPT = 300

/** A remote's own words for a message: on one line, cut at MAX_EXCERPT characters with `…`. */
export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > MAX_EXCERPT ? `${flat.slice(0, MAX_EXCERPT)}…` : flat
}

/**
 * A remote's list for a message: at most `max` items, each cut to a few dozen characters and then
 * shown by `show`, then how many more there are (`a, b, c and 99997 more`).
 */
export function listed(
  items: readonly string[],
  show: (item: string) => string = item => item,
  max = MAX_LISTED
): string {
  const shown = items.slice(0, max).map(item => {
    const chars = Array.from(item)
    return show(chars.length > MAX_ITEM ? `${chars.slice(0, MAX_ITEM - 1).join('')}…` : item)
  })
  const more = items.length - shown.length
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
}

/**
 * The job log's annotations and debug lines, each message bounded. The toolkit encodes their
 * line breaks itself; `info` lines go through logText.
 */
export const log = {
  debug: (message: string) => core.debug(bounded(message)),
  notice: (message: string, properties?: core.AnnotationProperties) =>
    core.notice(bounded(message), properties),
  warning: (message: string, properties?: core.AnnotationProperties) =>
    core.warning(bounded(message), properties),
  error: (message: string, properties?: core.AnnotationProperties) =>
    core.error(bounded(message), properties),
  /** Fails the step with `message` as its error. */
  failed: (message: string) => core.setFailed(bounded(message))
}

/**
 * `value` for a log line, bounded: `%`, CR and LF percent-encoded as the toolkit does for command
 * data (so the encoding stays unambiguous), other control characters and bidirectional overrides
 * too, and the two-character sequences that open a command (`::`, `##[`) broken the same way.
 */
export function logText(value: string): string {
  return (
    bounded(value)
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
