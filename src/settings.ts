// Turns the action's raw inputs into one typed, validated Settings object.
// Nothing else reads inputs, and the API key is masked before any other input is looked at.
import path from 'node:path'
import * as core from '@actions/core'
import { isLoopback } from './url.js'
import { MAX_SHARDS, type Shard } from './shard/split.js'

export type Mode = 'changed' | 'all' | 'auto'

export interface Settings {
  apiKey: string
  /**
   * `text` with the key replaced by `***`. Belt and braces: the key is masked in logs, but
   * comments, summaries, outputs and artifacts are not logs.
   */
  redact(text: string): string
  apiUrl: string
  model: string
  organizationId: string | undefined
  scripts: string[]
  /** Where scripts are read from, relative to the workspace (`.`: the workspace itself). */
  workingDirectory: string
  mode: Mode
  avatarId: string | undefined
  voiceId: string | undefined
  dimension: string
  caption: boolean
  githubToken: string
  comment: boolean
  commentKey: string
  artifact: boolean
  artifactName: string
  /** Tag of the release that merges publish their videos to; null: none. */
  release: string | null
  /**
   * Branches (GitHub's branch filter patterns) whose pushes and manual runs publish to the
   * release; empty: the repository's default branch. Tags always do.
   */
  releaseBranches: string[]
  /** This job's part of a matrix (`shard: 2/4`): it generates only its scripts. Null: all. */
  shard: Shard | null
  /** The matrix's final job: reports the shards' results as one comment, summary and outputs. */
  aggregate: boolean
  /** Seconds before the first status poll. */
  pollInterval: number
  /** Seconds for the whole generation phase. */
  timeout: number
  maxConcurrency: number
  /** The largest media file downloaded, in bytes; a larger one is not kept. */
  maxDownloadSize: number
  reuse: boolean
  /** The most estimated minutes a run submits (`max-minutes`); null: no cap. */
  maxMinutes: number | null
  dryRun: boolean
  failOnError: boolean
  allowedAssociations: string[]
}

export const DEFAULT_SCRIPTS = [
  'videos/**/*.md',
  'videos/**/*.txt',
  'videos/**/*.yml',
  'videos/**/*.yaml',
  'videos/**/*.json'
]

/** An input the user set wrongly: the message names the input and the accepted values. */
export class InputError extends Error {
  override name = 'InputError'
}

type Read = (name: string) => string

/**
 * @param read an input by its action.yml name
 * @param options.workspace what `working-directory` is relative to
 * @param options.mask hides a value in the job's log (tests pass their own, to keep their output
 *   quiet)
 */
export function readSettings(
  read: Read = name => core.getInput(name),
  {
    workspace = process.env.GITHUB_WORKSPACE ?? process.cwd(),
    mask = core.setSecret
  }: { workspace?: string; mask?: (secret: string) => void } = {}
): Settings {
  const apiKey = read('api-key').trim()
  if (apiKey) mask(apiKey)

  const dryRun = bool(read, 'dry-run', false)
  const shard = shardInput(read('shard').trim())
  const aggregate = bool(read, 'aggregate', false)
  if (shard && aggregate) {
    throw new InputError(
      'shard and aggregate exclude each other: the matrix jobs take shard (e.g. shard: ${{ matrix.shard }}/4), the final job aggregate: true'
    )
  }

  return {
    apiKey,
    redact: text => redact(text, apiKey),
    apiUrl: apiUrl(read('api-url').trim() || 'https://console.gmicloud.ai'),
    model: read('model').trim() || 'heygen-avatar-4',
    organizationId: optional(read('organization-id')),
    scripts: globLines(read('scripts'), DEFAULT_SCRIPTS),
    workingDirectory: workingDirectory(read('working-directory').trim(), workspace),
    mode: oneOf(read, 'mode', ['changed', 'all', 'auto'] as const, 'auto'),
    avatarId: optional(read('avatar-id')),
    voiceId: optional(read('voice-id')),
    dimension: read('dimension').trim() || '720p',
    caption: bool(read, 'caption', false),
    githubToken: read('github-token').trim(),
    comment: bool(read, 'comment', true),
    commentKey: commentKey(read('comment-key').trim() || 'default'),
    artifact: bool(read, 'artifact', true),
    artifactName: artifactName(read('artifact-name').trim() || 'avatar-videos'),
    release: releaseTag(read('release').trim()),
    releaseBranches: releaseBranches(read('release-branches')),
    shard,
    aggregate,
    pollInterval: number(read, 'poll-interval', 10, { min: 0.01, max: 3600 }),
    timeout: number(read, 'timeout', 1800, { min: 1, max: MAX_TIMEOUT_SECONDS }),
    maxConcurrency: number(read, 'max-concurrency', 4, { min: 1, max: 64, integer: true }),
    maxDownloadSize: byteSize(read, 'max-download-size', 2 * GIB, { min: MIB, max: 64 * GIB }),
    reuse: bool(read, 'reuse', true),
    maxMinutes: maxMinutes(read('max-minutes').trim()),
    dryRun,
    failOnError: bool(read, 'fail-on-error', true),
    allowedAssociations: associations(read('allowed-associations'))
  }
}

function redact(text: string, key: string): string {
  return key ? text.split(key).join('***') : text
}

/** What the artifact service refuses in a name (@actions/artifact's list), checked before paying. */
function artifactName(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are refused too
  if (/["':<>|*?\\/\u0000-\u001F]/.test(value)) {
    throw new InputError(
      `artifact-name may not hold " : < > | * ? \\ / or control characters (got "${value}")`
    )
  }
  return value
}

/** `i/n`: this job is shard i of n, both whole numbers written in decimal. */
function shardInput(value: string): Shard | null {
  if (!value) return null
  const match = /^(\d{1,3})\/(\d{1,3})$/.exec(value)
  const shard = match ? { index: Number(match[1]), count: Number(match[2]) } : null
  if (!shard || shard.index < 1 || shard.index > shard.count || shard.count > MAX_SHARDS) {
    throw new InputError(
      `shard must be i/n, this job's shard and the number of shards, with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, such as \${{ matrix.shard }}/4 (got "${value}")`
    )
  }
  return shard
}

/**
 * A tag name as git and GitHub take it (git check-ref-format): the `release` input. Refused at
 * start, rather than after the videos are paid for.
 */
function releaseTag(value: string): string | null {
  if (!value) return null
  const bad =
    // eslint-disable-next-line no-control-regex -- control characters are refused too
    /[\u0000-\u0020\u007F~^:?*[\\]|\.\.|@\{|\/\/|^[-/.]|[/.]$|\.lock$/.test(value) ||
    value.length > 200
  if (bad) {
    throw new InputError(
      `release must be a tag name git accepts, such as avatar-videos (got "${value}")`
    )
  }
  return value
}

/**
 * `release-branches`: branch names or patterns (`release/*`), one a line or comma-separated, a
 * `refs/heads/` before them dropped. What git refuses in a branch name is refused here, glob
 * characters aside, so that a typo does not silently stop every release.
 */
function releaseBranches(value: string): string[] {
  const listed = value
    .split(/[\r\n,]+/)
    .map(b => b.trim().replace(/^refs\/heads\//, ''))
    .filter(b => b && !b.startsWith('#'))
  // eslint-disable-next-line no-control-regex -- control characters are refused too
  const bad = listed.find(b => /[\u0000-\u0020\u007F~^:\\]|\.\.|@\{|^\/|\/$/.test(b))
  if (bad !== undefined) {
    throw new InputError(
      `release-branches must list branch names or patterns, such as main or release/* (got "${bad}")`
    )
  }
  return listed
}

/**
 * The longest `timeout`: a job on a self-hosted runner runs for at most 5 days (GitHub-hosted: 6
 * hours). Far below the 24.8 days past which Node's timers fire at once.
 */
export const MAX_TIMEOUT_SECONDS = 5 * 24 * 3600

/** GitHub's author associations: a word outside them is a typo that would refuse everyone. */
const ASSOCIATIONS = [
  'OWNER',
  'MEMBER',
  'COLLABORATOR',
  'CONTRIBUTOR',
  'FIRST_TIME_CONTRIBUTOR',
  'FIRST_TIMER',
  'MANNEQUIN',
  'NONE'
]

function associations(value: string): string[] {
  if (!value.trim()) return ['OWNER', 'MEMBER', 'COLLABORATOR']
  const listed = value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(a => a.toUpperCase())
  const unknown = listed.filter(a => !ASSOCIATIONS.includes(a))
  if (!listed.length || unknown.length) {
    throw new InputError(
      `allowed-associations must list author associations among ${ASSOCIATIONS.join(', ')} (got "${value.trim()}")`
    )
  }
  return listed
}

/**
 * The request queue's base URL. It receives the key on every call, so it must be https (http only
 * on this machine, for a local simulator), carry no credentials of its own, and be only the
 * origin: the action adds the request-queue path itself.
 */
function apiUrl(value: string): string {
  // Credentials written into the URL are not repeated in the log.
  const shown = value.replace(/\/\/[^/?#]*@/, '//***@')
  const problem = (why: string) =>
    new InputError(`api-url ${why} (got "${shown}"); the default is https://console.gmicloud.ai`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw problem('must be a URL such as https://console.gmicloud.ai')
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))
  if (!secure) throw problem('must be https (http only on localhost), as it receives the API key')
  if (url.username || url.password) {
    throw problem('must not hold a user name or password: the key is passed as api-key')
  }
  if (url.pathname.replace(/\/+$/, '') || url.search || url.hash) {
    throw problem(
      'must be the base URL alone, without a path, query or fragment: the action adds /api/v1/ie/requestqueue/… itself'
    )
  }
  return url.origin
}
function optional(value: string): string | undefined {
  return value.trim() || undefined
}

/** Globs written one per line; blank lines and `#` comments skipped. */
export function globLines(value: string, fallback: string[] = []): string[] {
  const list = value
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
  return list.length ? list : fallback
}

function bool(read: Read, name: string, fallback: boolean): boolean {
  const value = read(name).trim().toLowerCase()
  if (!value) return fallback
  if (['true', 'yes', '1', 'on'].includes(value)) return true
  if (['false', 'no', '0', 'off'].includes(value)) return false
  throw new InputError(`${name} must be true or false (got "${read(name).trim()}")`)
}

/** A decimal number within the rule; hex, exponents and the like are refused, not guessed at. */
function number(
  read: Read,
  name: string,
  fallback: number,
  rule: { min: number; max: number; integer?: boolean }
): number {
  const raw = read(name).trim()
  if (!raw) return fallback
  const value = Number(raw)
  const written = rule.integer ? /^\d+$/ : /^(\d+(\.\d*)?|\.\d+)$/
  if (!written.test(raw) || value < rule.min || value > rule.max) {
    const kind = rule.integer ? 'a whole number' : 'a number of seconds'
    throw new InputError(
      `${name} must be ${kind} from ${rule.min} to ${rule.max}, written in decimal (got "${raw}")`
    )
  }
  return value
}

/**
 * `max-minutes`: a positive number of minutes, decimals allowed (`2.5`), written in decimal. Refused
 * at start, before anything is submitted: a cap that is a typo must not spend, nor stop, a run.
 */
function maxMinutes(raw: string): number | null {
  if (!raw) return null
  const value = Number(raw)
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(raw) || !(value > 0) || !Number.isFinite(value)) {
    throw new InputError(
      `max-minutes must be a positive number of minutes, such as 10 or 2.5, written in decimal; leave it empty for no cap (got "${raw}")`
    )
  }
  return value
}

const MIB = 1024 ** 2
const GIB = 1024 ** 3
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: MIB,
  gib: GIB
}

/** A size such as `2GiB`, `500 MB` or `1048576` (bytes), within the rule, in whole bytes. */
function byteSize(
  read: Read,
  name: string,
  fallback: number,
  rule: { min: number; max: number }
): number {
  const raw = read(name).trim()
  if (!raw) return fallback
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw)
  const unit = match && UNITS[(match[2] || 'b').toLowerCase()]
  const value = match && unit ? Math.floor(Number(match[1]) * unit) : NaN
  if (!(value >= rule.min && value <= rule.max)) {
    throw new InputError(
      `${name} must be a size from ${rule.min / MIB} MiB to ${rule.max / GIB} GiB, such as 2GiB or 500MB (B, KB, MB, GB, KiB, MiB, GiB; got "${raw}")`
    )
  }
  return value
}

function oneOf<T extends string>(read: Read, name: string, values: readonly T[], fallback: T): T {
  const raw = read(name).trim()
  if (!raw) return fallback
  const found = values.find(v => v === raw.toLowerCase())
  if (!found) throw new InputError(`${name} must be one of ${values.join(', ')} (got "${raw}")`)
  return found
}

/**
 * The folder as a path relative to the workspace. Like actions/checkout's `path`, it stays
 * inside the workspace: scripts come from the repository, never from elsewhere on the runner.
 */
function workingDirectory(value: string, workspace: string): string {
  const root = path.resolve(workspace)
  const relative = path.relative(root, path.resolve(root, value || '.'))
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new InputError(
      `working-directory must be inside the workspace ${root} (got "${value}"): check the repository out there, with actions/checkout's path`
    )
  }
  return relative.split(path.sep).join('/') || '.'
}

// The key ends up inside an HTML comment marker: keep it to characters that cannot close it.
function commentKey(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new InputError(
      `comment-key may hold only letters, digits, ".", "_" and "-" (1–64 characters; got "${value}")`
    )
  }
  return value
}

/** What a script that does not say takes from the inputs. */
export function defaultsOf(settings: Settings) {
  return {
    model: settings.model,
    avatarId: settings.avatarId,
    voiceId: settings.voiceId,
    dimension: settings.dimension,
    caption: settings.caption
  }
}
