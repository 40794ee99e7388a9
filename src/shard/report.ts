// What a shard hands the aggregate job: `shard.json`, alone in a small artifact of its own, so that
// the aggregate reads every shard's results without moving a single video. It holds each script's
// result, what the comment's saved state needs (hash, request id, status, URLs) and what the
// comment shows of the script (title, words, problems), so the aggregate job need not read the
// scripts again. It is read back as untrusted input, as a queue answer is: another job of the same
// workflow run can upload an artifact of the same name. Anything of the wrong shape (a path that is
// absolute or leaves the workspace, a link the comment would not show, a media file the action did
// not name) makes the whole report unreadable; trust.ts checks what depends on this run.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { storablePath } from '../publish/names.js'
import type { ReleasedVideo } from '../publish/release.js'
import { trustedUrl } from '../url.js'
import type { Before, Problem, Result } from '../types.js'
import { shardLabel, type Shard } from './split.js'
import type { ShardBudget } from '../budget.js'

export const REPORT_FILE = 'shard.json'

/** Far above what thousands of scripts need; far below what would hurt to parse. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024

/** One script's result, with what the live comment showed of a row still rendering. */
export interface ReportedResult extends Result {
  /** Still rendering when the shard stopped (a cancelled job): saved as `pending`, resumed later. */
  pending: boolean
  remote_status: string | null
  /** The shard picked up an earlier run's request instead of submitting. */
  resumed: boolean
  title: string | null
  estimated_seconds: number | null
  /** What was (or, in a dry run, would be) sent: the comment shows its words. */
  payload: Record<string, unknown> | null
  /** Why an invalid script is invalid. */
  problems: Problem[]
  /** The script at the pull request's base, as the shard found it (absent: nothing to compare). */
  before?: Before | null
}

export interface ShardReport {
  shard: Shard
  /** The scripts this shard found to be its own. */
  files: string[]
  /** Whether the shard spent the key, and if not, why: the same for every shard of a run. */
  dryRun: boolean
  notice: string | null
  /** The shard's artifact of videos, when it uploaded one. */
  artifact: { id: number | null; name: string } | null
  /** What stopped the whole shard (a refused key, an unreadable comment), or null. */
  fatal: string | null
  /** What could not be published to the release, or null. */
  unreleased: string | null
  /** The shard's videos in the release, for the release's manifest.json. */
  released: ReleasedVideo[]
  results: ReportedResult[]
  /** The shard's estimated minutes under its `max-minutes`, when it generated (null: it did not). */
  budget?: ShardBudget | null
}

const text = z.string().max(100_000)
const nullableText = text.nullable()

/** A script's path as the action spells it: relative, normalized, inside the workspace. */
const scriptPath = z
  .string()
  .min(1)
  .max(4096)
  .refine(isInsidePath, 'not a relative path inside the workspace')

/** A link the comment may show: the media rule (https, or http on this machine). */
const mediaUrl = text.refine(value => trustedUrl(value) !== null, 'not an https URL')

/** What the queue gave as a request id: one printable word, as no queue answer spells otherwise. */
const requestId = z
  .string()
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'not a request id')

const problemSchema = z.object({
  file: scriptPath,
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  key: z.string().max(1000).optional(),
  message: text
})

const resultSchema = z
  .object({
    file: scriptPath,
    status: z.enum(['success', 'reused', 'failed', 'cancelled', 'timeout', 'invalid', 'skipped']),
    hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    request_id: requestId.nullable(),
    video_url: mediaUrl.nullable(),
    thumbnail_url: mediaUrl.nullable(),
    duration: z.number().finite().nonnegative().nullable(),
    error: nullableText,
    media_urls: z.array(mediaUrl).nullable(),
    video_file: nullableText,
    thumbnail_file: nullableText,
    // A release's stable link: trust.ts checks it against this run's repository and tag.
    release_url: nullableText,
    pending: z.boolean(),
    remote_status: nullableText,
    resumed: z.boolean(),
    title: nullableText,
    estimated_seconds: z.number().finite().nonnegative().nullable(),
    payload: z.record(z.string(), z.unknown()).nullable(),
    problems: z.array(problemSchema),
    before: z
      .object({
        payload: z.record(z.string(), z.unknown()).nullable(),
        hash: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .nullable(),
        video: z
          .object({
            request_id: requestId.nullable(),
            video_url: mediaUrl.nullable(),
            thumbnail_url: mediaUrl.nullable()
          })
          .nullable()
      })
      .nullable()
      .optional()
  })
  // Media files are the ones the action names after the script, never another path.
  .refine(r => isMediaFileOf(r.file, r.video_file, VIDEO_EXTENSIONS), {
    message: 'not a video file the action names after this script',
    path: ['video_file']
  })
  .refine(r => isMediaFileOf(r.file, r.thumbnail_file, IMAGE_EXTENSIONS), {
    message: 'not a thumbnail file the action names after this script',
    path: ['thumbnail_file']
  })
  .refine(r => r.problems.every(p => p.file === r.file), {
    message: "a problem of another script than the result's",
    path: ['problems']
  })

const releasedSchema = z.object({
  file: scriptPath,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  request_id: requestId.nullable(),
  duration: z.number().finite().nonnegative().nullable(),
  video: text,
  thumbnail: nullableText,
  video_url: text,
  thumbnail_url: nullableText
})

const reportSchema = z.object({
  version: z.literal(1),
  shard: z.string().regex(/^\d{1,3}\/\d{1,3}$/),
  files: z.array(scriptPath),
  dry_run: z.boolean(),
  notice: nullableText,
  artifact: z.object({ id: z.number().int().nullable(), name: text }).nullable(),
  fatal: nullableText,
  unreleased: nullableText,
  released: z.array(releasedSchema),
  results: z.array(resultSchema),
  budget: z
    .object({
      estimated_seconds: z.number().finite().nonnegative(),
      scripts: z.number().int().nonnegative(),
      over: z.number().int().nonnegative()
    })
    .nullable()
    .optional()
})

/** Whether `file` is relative, spelt as path.posix.normalize spells it, and stays inside. */
export function isInsidePath(file: string): boolean {
  if (file.includes('\0') || path.posix.isAbsolute(file) || path.win32.isAbsolute(file))
    return false
  if (path.posix.normalize(file) !== file) return false
  const first = file.split('/')[0]
  return first !== '..' && first !== '.'
}

/** The extensions media.ts gives what it downloads, by the type the file's first bytes show. */
const VIDEO_EXTENSIONS = new Set(['.mp4'])
const IMAGE_EXTENSIONS = new Set(['.jpg', '.png', '.webp'])

/**
 * Whether `media` (null, or a path in the shard's artifact) is one the action gives `file`'s media:
 * the script's path, its extension replaced (or, beside a namesake, kept), made storable (see
 * names.ts), with an extension of the media's type.
 */
function isMediaFileOf(file: string, media: string | null, extensions: Set<string>): boolean {
  if (media === null) return true
  const extension = path.posix.extname(media)
  if (!extensions.has(extension)) return false
  const base = media.slice(0, media.length - extension.length)
  const stem = file.slice(0, file.length - path.posix.extname(file).length)
  return base === storablePath(stem) || base === storablePath(file)
}

/** Writes `report` as `dir/shard.json`, after `scrub` (which takes the key out of it). */
export async function writeShardReport(
  dir: string,
  report: ShardReport,
  scrub: (text: string) => string
): Promise<string> {
  const { shard, dryRun, ...rest } = report
  const json = JSON.stringify(
    {
      version: 1,
      shard: shardLabel(shard),
      files: rest.files,
      dry_run: dryRun,
      notice: rest.notice,
      artifact: rest.artifact,
      fatal: rest.fatal,
      unreleased: rest.unreleased,
      released: rest.released,
      results: rest.results,
      budget: rest.budget
        ? {
            estimated_seconds: rest.budget.estimatedSeconds,
            scripts: rest.budget.scripts,
            over: rest.budget.over
          }
        : null
    },
    null,
    1
  )
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, REPORT_FILE)
  await writeFile(file, `${scrub(json)}\n`)
  return file
}

/**
 * The report in `dir/shard.json`, which must be shard `expected`'s (the one its artifact's name
 * says). Throws, saying what is wrong, when it is missing, too large, or of any other shape.
 */
export async function readShardReport(dir: string, expected: Shard): Promise<ShardReport> {
  const file = path.join(dir, REPORT_FILE)
  const { size } = await stat(file).catch(() => {
    throw new Error(`it holds no ${REPORT_FILE}`)
  })
  if (size > MAX_REPORT_BYTES) throw new Error(`its ${REPORT_FILE} is over 64 MB`)
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch {
    throw new Error(`its ${REPORT_FILE} is not JSON`)
  }
  const parsed = reportSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new Error(`its ${REPORT_FILE} is not a shard report${where}: ${issue?.message}`)
  }
  const data = parsed.data
  if (data.shard !== shardLabel(expected)) {
    throw new Error(`its ${REPORT_FILE} is shard ${data.shard}'s, not ${shardLabel(expected)}'s`)
  }
  return {
    shard: expected,
    files: data.files,
    dryRun: data.dry_run,
    notice: data.notice,
    artifact: data.artifact,
    fatal: data.fatal,
    unreleased: data.unreleased,
    released: data.released,
    results: data.results,
    budget: data.budget
      ? {
          estimatedSeconds: data.budget.estimated_seconds,
          scripts: data.budget.scripts,
          over: data.budget.over
        }
      : null
  }
}
