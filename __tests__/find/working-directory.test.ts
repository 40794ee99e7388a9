// working-directory names a folder of the workspace; the action refuses anything that is not
// really one, as it refuses a script path that is not really a file of the workspace.
import { describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openWorkingDirectory } from '../../src/find/workspace.js'

async function workspace(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'avatar-wd-'))
  await mkdir(path.join(root, 'pr', 'site'), { recursive: true })
  await writeFile(path.join(root, 'README.md'), 'base\n')
  return root
}

describe('the working directory', () => {
  it('is the workspace, or the folder of it that the input names', async () => {
    const root = await workspace()
    expect(await openWorkingDirectory(root, '.')).toBe(root)
    expect(await openWorkingDirectory(root, 'pr/site')).toBe(path.join(root, 'pr', 'site'))
  })

  it('says what to do when the folder was not checked out', async () => {
    const root = await workspace()
    await expect(openWorkingDirectory(root, 'head')).rejects.toThrow(
      'working-directory head does not exist: check the repository out there first (actions/checkout with path)'
    )
  })

  it('refuses a file', async () => {
    const root = await workspace()
    await expect(openWorkingDirectory(root, 'README.md')).rejects.toThrow(
      'working-directory README.md is not a folder'
    )
  })

  it('never follows a symbolic link, which could lead out of the workspace', async () => {
    const root = await workspace()
    const outside = await mkdtemp(path.join(tmpdir(), 'avatar-outside-'))
    await symlink(outside, path.join(root, 'pr', 'docs'))
    await symlink(path.join(root, 'pr'), path.join(root, 'linked'))

    await expect(openWorkingDirectory(root, 'pr/docs')).rejects.toThrow(
      'working-directory pr/docs is a symbolic link, which is never followed'
    )
    await expect(openWorkingDirectory(root, 'linked/site')).rejects.toThrow(
      'working-directory linked/site: linked is a symbolic link, which is never followed'
    )
  })
})
