// Turns the action's raw inputs into one typed, validated Settings object.
// Nothing else reads inputs, and the API key is masked before any other input is looked at.
import * as core from '@actions/core'

export type Mode = 'changed' | 'all' | 'auto'

export interface Settings {
  apiKey: string
  apiUrl: string
  model: string
  organizationId: string | undefined
  scripts: string[]
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
  /** Seconds before the first status poll. */
  pollInterval: number
  /** Seconds for the whole generation phase. */
  timeout: number
  maxConcurrency: number
  reuse: boolean
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
 * @param mask hides a value in the job's log (tests pass their own, to keep their output quiet)
 */
export function readSettings(
  read: Read = name => core.getInput(name),
  mask: (secret: string) => void = core.setSecret
): Settings {
  const apiKey = read('api-key').trim()
  if (apiKey) mask(apiKey)

  const dryRun = bool(read, 'dry-run', false)
  const apiUrl = read('api-url').trim() || 'https://console.gmicloud.ai'
  if (!/^https?:\/\//.test(apiUrl)) throw new InputError(`api-url must be an http(s) URL`)

  return {
    apiKey,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    model: read('model').trim() || 'heygen-avatar-4',
    organizationId: optional(read('organization-id')),
    scripts: globLines(read('scripts'), DEFAULT_SCRIPTS),
    mode: oneOf(read, 'mode', ['changed', 'all', 'auto'] as const, 'auto'),
    avatarId: optional(read('avatar-id')),
    voiceId: optional(read('voice-id')),
    dimension: read('dimension').trim() || '720p',
    caption: bool(read, 'caption', false),
    githubToken: read('github-token').trim(),
    comment: bool(read, 'comment', true),
    commentKey: commentKey(read('comment-key').trim() || 'default'),
    artifact: bool(read, 'artifact', true),
    artifactName: read('artifact-name').trim() || 'avatar-videos',
    pollInterval: number(read, 'poll-interval', 10, { min: 0.01 }),
    timeout: number(read, 'timeout', 1800, { min: 1 }),
    maxConcurrency: number(read, 'max-concurrency', 4, { min: 1, integer: true }),
    reuse: bool(read, 'reuse', true),
    dryRun,
    failOnError: bool(read, 'fail-on-error', true),
    allowedAssociations: read('allowed-associations').trim()
      ? read('allowed-associations')
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(a => a.toUpperCase())
      : ['OWNER', 'MEMBER', 'COLLABORATOR']
  }
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

function number(
  read: Read,
  name: string,
  fallback: number,
  rule: { min: number; integer?: boolean }
): number {
  const raw = read(name).trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < rule.min || (rule.integer && !Number.isInteger(value))) {
    const kind = rule.integer ? 'an integer' : 'a number'
    throw new InputError(`${name} must be ${kind} of at least ${rule.min} (got "${raw}")`)
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

// The key ends up inside an HTML comment marker: keep it to characters that cannot close it.
function commentKey(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new InputError(
      `comment-key may hold only letters, digits, ".", "_" and "-" (1–64 characters; got "${value}")`
    )
  }
  return value
}
