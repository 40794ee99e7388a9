// Reads a script file from the workspace without trusting it: a pull request controls these
// files, so a symbolic link (to /etc/passwd, to the runner's secrets) is never followed, a path
// never leaves the workspace, and only small UTF-8 text is read.
import { constants } from 'node:fs'
import { lstat, open } from 'node:fs/promises'
import path from 'node:path'
import type { ScriptDefaults, ScriptOutcome } from '../types.js'
import type { Parse } from './guard.js'
import { parseScript } from './parse.js'

/** The largest script read, in bytes. */
export const MAX_SCRIPT_BYTES = 1024 * 1024

type Read = { ok: true; text: string } | { ok: false; reason: string }

const inline: Parse = async (file, text, defaults) => parseScript(file, text, defaults)

/**
 * Reads and parses one script; `file` is relative to `workspace`. `parse` is where the text is
 * parsed: the run parses under a time limit (see guard.ts).
 */
export async function loadScript(
  workspace: string,
  file: string,
  defaults: ScriptDefaults,
  parse: Parse = inline
): Promise<ScriptOutcome> {
  const relative = file.replaceAll('\\', '/')
  const read = await readScriptFile(workspace, relative)
  if (!read.ok) return unreadable(relative, read.reason)
  try {
    return await parse(relative, read.text, defaults)
  } catch (error) {
    // Whatever a hostile file makes a parser throw, it costs that file only, never the run.
    return unreadable(relative, `the script could not be read: ${(error as Error).message}`)
  }
}

function unreadable(file: string, message: string): ScriptOutcome {
  const problem = { file, line: 1, column: 1, message }
  return { ok: false, file, problems: [problem], warnings: [] }
}

async function readScriptFile(workspace: string, file: string): Promise<Read> {
  if (path.posix.isAbsolute(file) || path.win32.isAbsolute(file)) {
    return {
      ok: false,
      reason: 'refused: the path is absolute; scripts are read from the workspace only'
    }
  }
  const parts = path.posix.normalize(file).split('/')
  if (parts[0] === '..') return { ok: false, reason: 'refused: the path leaves the workspace' }
  // Every step of the path is checked, not only the file: a linked folder leads outside too.
  let current = path.resolve(workspace)
  for (const [i, part] of parts.entries()) {
    current = path.join(current, part)
    const stats = await lstat(current).catch(() => null)
    if (!stats) return { ok: false, reason: 'cannot read the script: it does not exist' }
    const shown = parts.slice(0, i + 1).join('/')
    if (stats.isSymbolicLink()) return { ok: false, reason: `refused: ${shown} is a symbolic link` }
    if (i < parts.length - 1 && !stats.isDirectory()) {
      return { ok: false, reason: `cannot read the script: ${shown} is not a folder` }
    }
  }
  return readRegularFile(current)
}

async function readRegularFile(file: string): Promise<Read> {
  // O_NOFOLLOW closes the gap between the checks above and the open; O_NONBLOCK keeps a FIFO
  // swapped in meanwhile from hanging the run.
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)
  const handle = await open(file, flags).catch((error: NodeJS.ErrnoException) => error)
  if (!('read' in handle)) {
    return handle.code === 'ELOOP'
      ? { ok: false, reason: 'refused: the script is a symbolic link' }
      : { ok: false, reason: `cannot read the script: ${handle.code ?? handle.message}` }
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) return { ok: false, reason: 'refused: not a regular file' }
    if (stats.size > MAX_SCRIPT_BYTES) return tooLarge(stats.size)
    // Sized to the file (runs read hundreds of scripts at once), plus one byte to notice a file
    // that grew since stat.
    const buffer = Buffer.allocUnsafe(stats.size + 1)
    let length = 0
    let bytesRead: number
    do {
      ;({ bytesRead } = await handle.read(buffer, length, buffer.length - length, null))
      length += bytesRead
    } while (bytesRead > 0 && length < buffer.length)
    if (length > stats.size)
      return { ok: false, reason: 'refused: the script changed while it was read' }
    return decode(buffer.subarray(0, length))
  } finally {
    await handle.close()
  }
}

function tooLarge(size: number): Read {
  return { ok: false, reason: `refused: the script is larger than 1 MiB (${size} bytes)` }
}

function decode(bytes: Buffer): Read {
  if (bytes.includes(0))
    return { ok: false, reason: 'refused: a binary file (it contains NUL bytes)' }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    return { ok: false, reason: 'refused: the script is not valid UTF-8' }
  }
}
