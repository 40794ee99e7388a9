// The local git history as a source of changed files: complete where GitHub's lists stop (3000
// files of a pull request, 300 of a comparison), when the checkout has both commits.
import { execFile } from 'node:child_process'
import path from 'node:path'
import type { ChangedFile } from './changes.js'

/** `git diff --name-status` letters, as GitHub names the same statuses. */
const STATUS: Record<string, string> = {
  A: 'added',
  M: 'modified',
  D: 'removed',
  R: 'renamed',
  C: 'copied',
  T: 'changed'
}

/**
 * The files changed from `base` to `head` (`base...head`: from their merge base, as GitHub's
 * pull request files are), or null when the workspace is no git repository or lacks a commit,
 * as a shallow checkout does.
 */
export async function localChanges(
  workspace: string,
  base: string,
  head: string
): Promise<ChangedFile[] | null> {
  // No external diff tools or text conversions: the repository's attributes are the PR's to set.
  const args = ['diff', '--name-status', '-z', '-M', '--no-ext-diff', '--no-textconv']
  const out = await git(workspace, [...args, `${base}...${head}`, '--'])
  return out === null ? null : parseNameStatus(out)
}

/**
 * The text of `file` (relative to `workspace`) at `commit`, or null when git cannot show it: no
 * repository, a shallow checkout that lacks the commit, no such file there, or more than
 * `maxBytes` in it (never held in memory beyond that). Read from git's objects, never from the
 * file system, so no link in the checkout is followed.
 */
export async function fileAt(
  workspace: string,
  commit: string,
  file: string,
  maxBytes: number
): Promise<string | null> {
  // A commit from the event, never an option or a revision expression.
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return null
  return git(workspace, ['cat-file', 'blob', `${commit}:./${file}`], maxBytes)
}

/** Parses `git diff --name-status -z`: `M\0path\0`, `R100\0old\0new\0`. */
export function parseNameStatus(out: string): ChangedFile[] {
  const fields = out.split('\0')
  const files: ChangedFile[] = []
  for (let i = 0; i < fields.length - 1;) {
    const code = fields[i++] as string
    const status = STATUS[code[0] ?? ''] ?? 'modified'
    if (status === 'renamed' || status === 'copied') {
      const previousPath = fields[i++] as string
      const path = fields[i++] as string
      // A similarity of 100 means the content did not change.
      files.push({ path, status, previousPath, changes: code.slice(1) === '100' ? 0 : undefined })
    } else {
      files.push({ path: fields[i++] as string, status })
    }
  }
  return files
}

function git(cwd: string, args: string[], maxBytes = 64 * 1024 * 1024): Promise<string | null> {
  return new Promise(resolve => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      {
        cwd,
        // Only the workspace's own repository: never one that happens to contain it.
        env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(path.resolve(cwd)) },
        maxBuffer: maxBytes,
        encoding: 'utf8'
      },
      (error, stdout) => resolve(error ? null : stdout)
    )
  })
}
