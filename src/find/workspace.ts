// Lists the files of the checked-out workspace, as the `scripts` globs see them.
import { lstat, readdir } from 'node:fs/promises'
import path from 'node:path'

/** Folders that never hold scripts and can be huge. */
const PRUNED = new Set(['.git', 'node_modules'])

/**
 * Every file under `workspace` as a forward-slash relative path. A symbolic link is listed as
 * itself and never followed: a linked folder could lead out of the workspace, or in a circle.
 */
export async function listWorkspace(workspace: string): Promise<string[]> {
  const files: string[] = []
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true })
    for (const entry of entries) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (!PRUNED.has(entry.name)) await walk(path.join(dir, entry.name), relative)
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push(relative)
      }
    }
  }
  await walk(workspace, '')
  return files.sort()
}

/**
 * The absolute folder scripts are read from: `relative` (the working-directory input, already
 * inside the workspace) must be a real folder at every step, as a script's path must be. A
 * pull request could otherwise swap a folder for a link that leads out of the workspace.
 */
export async function openWorkingDirectory(workspace: string, relative: string): Promise<string> {
  let current = path.resolve(workspace)
  if (relative === '.') return current
  const parts = relative.split('/')
  for (const [i, part] of parts.entries()) {
    current = path.join(current, part)
    const shown = parts.slice(0, i + 1).join('/')
    const stats = await lstat(current).catch(() => null)
    const problem = !stats
      ? 'does not exist: check the repository out there first (actions/checkout with path)'
      : stats.isSymbolicLink()
        ? 'is a symbolic link, which is never followed'
        : !stats.isDirectory()
          ? 'is not a folder'
          : null
    if (problem) {
      const where = shown === relative ? relative : `${relative}: ${shown}`
      throw new Error(`working-directory ${where} ${problem}`)
    }
  }
  return current
}
