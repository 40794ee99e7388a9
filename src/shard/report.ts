// What a shard hands the aggregate job: `shard.json`, alone in a small artifact of its own, so that
// the aggregate reads every shard's results without moving a single video. It holds each script's
// result, what the comment's saved state needs (hash, request id, status, URLs) and what the
// comment shows of the script (title, words, problems), so the aggregate job need not read the
// scripts again. It is read back as untrusted input: anything of the wrong shape makes the whole
// report unreadable.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import type { ReleasedVideo } from '../publish/release.js'
import type { Problem, Result } from '../types.js'
import { shardLabel, type Shard } from './split.js'

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
}

const text = z.string().max(100_000)
const nullableText = text.nullable()

const problemSchema = z.object({
  file: z.string().min(1).max(4096),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  key: z.string().max(1000).optional(),
  message: text
})

const resultSchema = z.object({
  file: z.string().min(1).max(4096),
  status: z.enum(['success', 'reused', 'failed', 'cancelled', 'timeout', 'invalid', 'skipped']),
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  request_id: nullableText,
  video_url: nullableText,
  thumbnail_url: nullableText,
  duration: z.number().finite().nonnegative().nullable(),
  error: nullableText,
  media_urls: z.array(text).nullable(),
  video_file: nullableText,
  thumbnail_file: nullableText,
  release_url: nullableText,
  pending: z.boolean(),
  remote_status: nullableText,
  resumed: z.boolean(),
  title: nullableText,
  estimated_seconds: z.number().finite().nonnegative().nullable(),
  payload: z.record(z.string(), z.unknown()).nullable(),
  problems: z.array(problemSchema)
})

const releasedSchema = z.object({
  file: z.string().min(1).max(4096),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  request_id: nullableText,
  duration: z.number().finite().nonnegative().nullable(),
  video: text,
  thumbnail: nullableText,
  video_url: text,
  thumbnail_url: nullableText
})

const reportSchema = z.object({
  version: z.literal(1),
  shard: z.string().regex(/^\d{1,3}\/\d{1,3}$/),
  files: z.array(z.string().min(1).max(4096)),
  dry_run: z.boolean(),
  notice: nullableText,
  artifact: z.object({ id: z.number().int().nullable(), name: text }).nullable(),
  fatal: nullableText,
  unreleased: nullableText,
  released: z.array(releasedSchema),
  results: z.array(resultSchema)
})

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
      results: rest.results
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
    results: data.results
  }
}
