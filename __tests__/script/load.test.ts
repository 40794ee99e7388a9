import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ScriptDefaults } from '../../src/types.js'

// Every file the loader opens, to prove that a refused file is never read.
const opened: string[] = []
jest.unstable_mockModule('node:fs/promises', () => ({
  ...fs,
  open: (
    file: string,
    ...rest: Parameters<typeof fs.open> extends [unknown, ...infer R] ? R : never
  ) => {
    opened.push(String(file))
    return fs.open(file, ...rest)
  }
}))
const { loadScript, MAX_SCRIPT_BYTES } = await import('../../src/script/index.js')

const defaults: ScriptDefaults = {
  model: 'heygen-avatar-4',
  avatarId: 'avatar-1',
  voiceId: 'voice-1',
  dimension: '720p',
  caption: false
}

let root: string
let workspace: string
let secret: string

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'script-load-'))
  workspace = path.join(root, 'workspace')
  secret = path.join(root, 'outside', 'passwd')
  await fs.mkdir(path.join(workspace, 'videos', 'nested'), { recursive: true })
  await fs.mkdir(path.dirname(secret))
  await fs.writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\n')
})

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

async function write(file: string, content: string | Uint8Array): Promise<void> {
  await fs.writeFile(path.join(workspace, file), content)
}

/** The single problem of a refused script, and whether anything was opened for it. */
async function refusal(file: string) {
  opened.length = 0
  const outcome = await loadScript(workspace, file, defaults)
  if (outcome.ok) throw new Error(`${file} was read`)
  expect(outcome.problems).toHaveLength(1)
  const [problem] = outcome.problems
  return { ...problem, opened: [...opened] }
}

describe('loading a script from the workspace', () => {
  it('reads and parses a script by its workspace path', async () => {
    await write('videos/nested/intro.md', '# Hi\n\nWelcome.')
    opened.length = 0
    const outcome = await loadScript(workspace, 'videos/nested/intro.md', defaults)
    expect(opened).toEqual([path.join(workspace, 'videos', 'nested', 'intro.md')])
    expect(outcome.ok && [outcome.request.file, outcome.request.title]).toEqual([
      'videos/nested/intro.md',
      'videos/nested/intro.md'
    ])
  })

  it('strips a BOM and accepts CRLF line ends', async () => {
    await write('videos/bom.yml', '\uFEFFtitle: T\r\nscenes:\r\n  - text: Hi\r\n')
    const outcome = await loadScript(workspace, 'videos/bom.yml', defaults)
    expect(outcome.ok && outcome.request.title).toBe('T')
  })

  it('reports parse problems with the workspace path', async () => {
    await write('videos/bad.yml', 'speed: 9\nscenes:\n  - text: Hi\n')
    const outcome = await loadScript(workspace, 'videos/bad.yml', defaults)
    expect(!outcome.ok && outcome.problems.map(p => [p.file, p.line, p.column, p.key])).toEqual([
      ['videos/bad.yml', 1, 8, 'speed']
    ])
  })

  it('reads a script of exactly 1 MiB', async () => {
    const script = 'scenes:\n  - text: Hello.\n'
    await write('videos/big.yml', `${script}${' '.repeat(MAX_SCRIPT_BYTES - script.length)}`)
    const outcome = await loadScript(workspace, 'videos/big.yml', defaults)
    expect(outcome.ok ? [] : outcome.problems).toEqual([])
  })
})

describe('refusing what is not a safe script', () => {
  it('never follows a symbolic link out of the workspace', async () => {
    await fs.symlink(secret, path.join(workspace, 'videos', 'passwd.md'))
    expect(await refusal('videos/passwd.md')).toEqual({
      file: 'videos/passwd.md',
      line: 1,
      column: 1,
      message: 'refused: videos/passwd.md is a symbolic link',
      opened: []
    })
  })

  it('never follows a symbolic link inside the workspace either', async () => {
    await write('videos/real.md', 'Hi')
    await fs.symlink('real.md', path.join(workspace, 'videos', 'alias.md'))
    expect(await refusal('videos/alias.md')).toMatchObject({
      message: 'refused: videos/alias.md is a symbolic link',
      opened: []
    })
  })

  it('never goes through a linked folder', async () => {
    await fs.symlink(path.dirname(secret), path.join(workspace, 'linked'))
    expect(await refusal('linked/passwd')).toMatchObject({
      message: 'refused: linked is a symbolic link',
      opened: []
    })
  })

  it.each([
    ['../outside/passwd', 'refused: the path leaves the workspace'],
    ['videos/../../outside/passwd', 'refused: the path leaves the workspace'],
    ['..\\outside\\passwd', 'refused: the path leaves the workspace']
  ])('refuses %s', async (file, message) => {
    expect(await refusal(file)).toMatchObject({ message, opened: [] })
  })

  it('refuses an absolute path', async () => {
    expect(await refusal(secret)).toMatchObject({
      message: 'refused: the path is absolute; scripts are read from the workspace only',
      opened: []
    })
  })

  it('refuses a script over 1 MiB', async () => {
    await write('videos/huge.md', 'a'.repeat(MAX_SCRIPT_BYTES + 1))
    expect(await refusal('videos/huge.md')).toMatchObject({
      message: 'refused: the script is larger than 1 MiB (1048577 bytes)'
    })
  })

  it('refuses a binary file', async () => {
    await write('videos/image.md', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0d]))
    expect(await refusal('videos/image.md')).toMatchObject({
      message: 'refused: a binary file (it contains NUL bytes)'
    })
  })

  it('refuses text that is not UTF-8', async () => {
    await write('videos/latin1.md', new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x0a]))
    expect(await refusal('videos/latin1.md')).toMatchObject({
      message: 'refused: the script is not valid UTF-8'
    })
  })

  it('refuses a folder', async () => {
    expect(await refusal('videos/nested')).toMatchObject({ message: 'refused: not a regular file' })
  })

  it('reports a script that does not exist', async () => {
    expect(await refusal('videos/missing.md')).toMatchObject({
      message: 'cannot read the script: it does not exist',
      opened: []
    })
  })
})
