// Lists the files of the checked-out workspace, as the `scripts` globs see them.
import { readdir } from 'node:fs/promises'
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
