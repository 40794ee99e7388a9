// Finds the script files a run is about: those the triggering event changed, or all of them.
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { DEFAULT_SCRIPTS, globLines, type Mode } from '../settings.js'
import { findChanges, type ChangedFile } from './changes.js'
import { globSet, type GlobSet } from './globs.js'
import { listWorkspace } from './workspace.js'

export type { ChangedFile } from './changes.js'

export interface Selection {
  /** Script files to generate, workspace-relative, sorted. */
  files: string[]
  /** Script files the event removed: reported, never generated. */
  removed: string[]
  /** How the files were found, for the log. */
  source: string
  /** Every script file in the workspace the globs select, whether this run touches it or not. */
  known: string[]
  /**
   * Where the event lists its changes: each selected file's path before them (a rename's
   * earlier path), or null for a file they add. Absent when every matching file is selected.
   */
  earlierPaths?: Map<string, string | null>
}

export async function findScripts(options: {
  mode: Mode
  patterns: string[]
  event: EventInfo
  workspace: string
  github: GitHubClient | null
  log: (message: string) => void
  warn: (message: string) => void
}): Promise<Selection> {
  const { event, github, log, warn } = options
  const globs = globSet(options.patterns)
  // A manual run may narrow the selection with its own `scripts` input, never widen it.
  const narrowed = event.dispatchScripts ? globSet(globLines(event.dispatchScripts)) : null
  const selects = (path: string) => globs.matches(path) && (narrowed?.matches(path) ?? true)

  const workspace = await listWorkspace(options.workspace)
  warnUnused(globs, options.patterns, workspace, warn)
  for (const pattern of narrowed?.unused(workspace.filter(p => globs.matches(p))) ?? []) {
    warn(`No script matches "${pattern}" of the workflow_dispatch input "scripts"`)
  }

  const known = workspace.filter(file => globs.matches(file))
  const everything = (source: string) => ({
    files: workspace.filter(selects),
    removed: [],
    source,
    known
  })
  if (resolveMode(options.mode, event.name) === 'all') {
    return everything('every matching file in the workspace')
  }
  if (!github) {
    throw new Error(
      'github-token is empty: it is needed to find the files this event changed (or set mode: all)'
    )
  }
  const changes = await findChanges({ github, event, workspace: options.workspace, log, warn })
  if (changes.kind === 'all') return everything(changes.source)

  const selection = selectChanged(changes.files, { matches: selects }, log)
  const present = new Set(workspace)
  const missing = selection.files.filter(file => !present.has(file))
  if (missing.length) {
    warn(
      `${missing.length} changed script(s) are not in the workspace, e.g. ${missing[0]}: check out the commit the event is about (under pull_request_target, the pull request head, in the folder working-directory names)`
    )
  }
  const earlierPaths = earlierPathsOf(changes.files, selection.files)
  return { ...selection, source: changes.source, known, earlierPaths }
}

/**
 * Each of `files` as it was before `changed`: at its own path, at the earlier path of a rename,
 * or nowhere (null) when added, or copied from a file that stays.
 */
export function earlierPathsOf(
  changed: ChangedFile[],
  files: string[]
): Map<string, string | null> {
  const byPath = new Map(changed.map(file => [file.path, file]))
  return new Map(
    files.map(file => {
      const change = byPath.get(file)
      if (!change || change.status === 'added' || change.status === 'copied') return [file, null]
      return [file, change.status === 'renamed' ? (change.previousPath ?? null) : file]
    })
  )
}

export function resolveMode(mode: Mode, eventName: string): 'changed' | 'all' {
  if (mode !== 'auto') return mode
  return eventName === 'workflow_dispatch' || eventName === 'schedule' ? 'all' : 'changed'
}

/**
 * The changed files that are scripts to generate, and the scripts that are gone. A rename that
 * kept the content is no change; a script renamed out of the globs is gone.
 */
export function selectChanged(
  changed: ChangedFile[],
  globs: Pick<GlobSet, 'matches'>,
  log: (message: string) => void
): Omit<Selection, 'source' | 'known'> {
  const files = new Set<string>()
  const removed = new Set<string>()
  for (const file of changed) {
    const matches = globs.matches(file.path)
    const matchedBefore = file.previousPath !== undefined && globs.matches(file.previousPath)
    if (file.status === 'removed') {
      if (matches) removed.add(file.path)
    } else if (file.status === 'renamed' && matchedBefore && !matches) {
      removed.add(file.previousPath as string)
    } else if (!matches || file.status === 'unchanged') {
      continue
    } else if (file.status === 'renamed' && matchedBefore && file.changes === 0) {
      log(`${file.previousPath} was renamed to ${file.path} without changes: not regenerated`)
    } else {
      files.add(file.path)
    }
  }
  return { files: [...files].sort(), removed: [...removed].sort() }
}

/**
 * A pattern that matches nothing is likely a typo. The default patterns cover every script
 * format, and a repository seldom uses them all: they are named only when none matches.
 */
function warnUnused(
  globs: GlobSet,
  patterns: string[],
  workspace: string[],
  warn: (message: string) => void
): void {
  const unused = globs.unused(workspace)
  const positive = patterns.filter(p => !p.startsWith('!'))
  if (unused.length === positive.length) {
    warn(`No file in the workspace matches the scripts patterns: ${unused.join(', ')}`)
    return
  }
  for (const pattern of unused.filter(p => !DEFAULT_SCRIPTS.includes(p))) {
    warn(`No file in the workspace matches the scripts pattern "${pattern}"`)
  }
}
