// A named pipe among the scripts: its own file because making one takes a process (`mkfifo`),
// which a unit test may not start (jest.config.js); the rest of loading is in load.test.ts.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadScript } from '../../src/script/index.js'

let workspace: string

beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'script-fifo-'))
  await fs.mkdir(path.join(workspace, 'videos'))
})

afterAll(async () => {
  await fs.rm(workspace, { recursive: true, force: true })
})

it('refuses a named pipe without hanging', async () => {
  execFileSync('mkfifo', [path.join(workspace, 'videos', 'pipe.md')])

  const outcome = await loadScript(workspace, 'videos/pipe.md', {
    model: 'heygen-avatar-4',
    avatarId: 'avatar-1',
    voiceId: 'voice-1',
    dimension: '720p',
    caption: false
  })

  expect(outcome.ok).toBe(false)
  expect(!outcome.ok && outcome.problems).toEqual([
    expect.objectContaining({ message: 'refused: not a regular file' })
  ])
})
