// Finds the script files a run is about: those the triggering event changed, or all of them.
import { readdir } from 'node:fs/promises'
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { explainGitHubError } from '../github/client.js'
import type { Mode } from '../settings.js'
import { globSet } from './globs.js'

export interface Selection {
  /** Script files to generate, workspace-relative, sorted. */
  files: string[]
  /** Script files the event removed: reported, never generated. */
  removed: string[]
  /** How the files were found, for the log. */
  source: string
}

export interface ChangedFile {
  path: string
  status: string
  previousPath?: string
  changes?: number
}

const ZERO_SHA = /^0+$/

export async function findScripts(options: {
  mode: Mode
  patterns: string[]
  event: EventInfo
  workspace: string
  github: GitHubClient | null
  log: (message: string) => void
  warn: (message: string) => void
}): Promise<Selection> {
  const { event } = options
  const patterns = event.dispatchScripts
    ? event.dispatchScripts
        .split(/\r?\n/)
        .map(l => l.trim())
        .filter(Boolean)
    : options.patterns
  const globs = globSet(patterns)
  const mode = resolveMode(options.mode, event.name)

  if (mode === 'all' || !options.github) {
    const all = await listWorkspace(options.workspace)
    for (const pattern of globs.unused(all))
      options.warn(`No file matches the scripts pattern "${pattern}"`)
    return {
      files: all.filter(p => globs.matches(p)).sort(),
      removed: [],
      source: 'every matching file in the workspace'
    }
  }

  const changed = await changedFiles(options.github, event, options.log)
  if (changed === 'all') {
    const all = await listWorkspace(options.workspace)
    return {
      files: all.filter(p => globs.matches(p)).sort(),
      removed: [],
      source: 'every matching file (no earlier commit to compare with)'
    }
  }
  const files: string[] = []
  const removed: string[] = []
  for (const file of changed.files) {
    if (!globs.matches(file.path)) continue
    if (file.status === 'removed') removed.push(file.path)
    else if (file.status === 'renamed' && file.changes === 0) {
      options.log(
        `${file.previousPath} was renamed to ${file.path} without changes: not regenerated`
      )
    } else if (file.status !== 'unchanged') files.push(file.path)
  }
  return { files: files.sort(), removed: removed.sort(), source: changed.source }
}

export function resolveMode(mode: Mode, eventName: string): 'changed' | 'all' {
  if (mode !== 'auto') return mode
  return eventName === 'workflow_dispatch' || eventName === 'schedule' ? 'all' : 'changed'
}

async function changedFiles(
  github: GitHubClient,
  event: EventInfo,
  log: (message: string) => void
): Promise<{ files: ChangedFile[]; source: string } | 'all'> {
  const { owner, repo } = event
  if (event.pullRequest) {
    const pull_number = event.pullRequest.number
    try {
      const files = await github.paginate(github.rest.pulls.listFiles, {
        owner,
        repo,
        pull_number,
        per_page: 100
      })
      return {
        files: files.map(f => ({
          path: f.filename,
          status: f.status,
          previousPath: f.previous_filename,
          changes: f.changes
        })),
        source: `the ${files.length} files changed by pull request #${pull_number}`
      }
    } catch (error) {
      throw new Error(
        explainGitHubError(
          error,
          `Listing the files of pull request #${pull_number}`,
          'pull-requests: read'
        )
      )
    }
  }
  const range = event.push
    ? { base: event.push.before, head: event.push.after }
    : event.mergeGroup
      ? { base: event.mergeGroup.baseSha, head: event.mergeGroup.headSha }
      : null
  if (!range) {
    log(`The ${event.name} event names no changes: selecting every matching file`)
    return 'all'
  }
  if (ZERO_SHA.test(range.head))
    return { files: [], source: 'a deleted branch (nothing to generate)' }
  if (ZERO_SHA.test(range.base)) return 'all'
  try {
    const { data } = await github.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${range.base}...${range.head}`,
      per_page: 100
    })
    const files = (data.files ?? []).map(f => ({
      path: f.filename,
      status: f.status,
      previousPath: f.previous_filename,
      changes: f.changes
    }))
    return {
      files,
      source: `the ${files.length} files changed between ${range.base.slice(0, 7)} and ${range.head.slice(0, 7)}`
    }
  } catch (error) {
    throw new Error(
      explainGitHubError(error, `Comparing ${range.base}...${range.head}`, 'contents: read')
    )
  }
}

/** Every file under the workspace, as forward-slash relative paths; `.git` and `node_modules` skipped. */
async function listWorkspace(workspace: string): Promise<string[]> {
  const entries = await readdir(workspace, { recursive: true, withFileTypes: true })
  const files: string[] = []
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue
    const dir = (entry.parentPath ?? (entry as unknown as { path: string }).path).slice(
      workspace.length + 1
    )
    const path = (dir ? `${dir}/${entry.name}` : entry.name).split('\\').join('/')
    if (/(^|\/)(\.git|node_modules)\//.test(path)) continue
    files.push(path)
  }
  return files
}
