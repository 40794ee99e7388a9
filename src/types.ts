// The plain data that flows through the pipeline: scripts in, results out.
// Every module takes and returns these; only the edges do I/O.

/** A mistake in a script file, pointing at what the writer must fix. */
export interface Problem {
  /** Workspace-relative path, with forward slashes. */
  file: string
  /** 1-based line of the offending key or value (1 when the whole file is at fault). */
  line: number
  /** 1-based column. */
  column: number
  /** Dotted key path, e.g. `scenes.2.speed`, when a key is at fault. */
  key?: string
  message: string
}

/** What the script-file parser needs from the action's inputs. */
export interface ScriptDefaults {
  model: string
  avatarId?: string
  voiceId?: string
  /** `720p`, `1080p`, `4k` or `WIDTHxHEIGHT`. */
  dimension: string
  caption: boolean
}

/** One script file turned into exactly what will be sent to the request queue. */
export interface VideoRequest {
  file: string
  title: string
  model: string
  payload: Record<string, unknown>
  /** Lowercase hex sha256 of the RFC 8785 canonical JSON of `{model, payload}`. */
  hash: string
  /** `regenerate: true` in the script: never reuse an earlier video. */
  regenerate: boolean
  /** Spoken duration estimated from word count and voice speed, in seconds. */
  estimatedSeconds: number
}

export type ScriptOutcome =
  | { ok: true; request: VideoRequest; warnings: Problem[] }
  | {
      ok: false
      file: string
      problems: Problem[]
      warnings: Problem[]
      /** Why the script was not read at all (the run's parse budget was spent), when it was not. */
      skipped?: string
    }

export type ResultStatus =
  'success' | 'reused' | 'failed' | 'cancelled' | 'timeout' | 'invalid' | 'skipped'

/** The statuses that count as `succeeded`: a video exists for the script. */
export const SUCCEEDED: ReadonlySet<string> = new Set<ResultStatus>(['success', 'reused'])

/** One row of the outputs, comment, summary and manifest: the contract's result object. */
export interface Result {
  file: string
  status: ResultStatus
  hash: string | null
  request_id: string | null
  video_url: string | null
  thumbnail_url: string | null
  duration: number | null
  error: string | null
  /**
   * Every media URL the queue gave, `video_url` first (e.g. a cut with captions after it); null
   * without a video. Added to the contract's fields, none of which it changes.
   */
  media_urls: string[] | null
  /** Artifact-relative path of the downloaded video (also under the `directory` output), or null. */
  video_file: string | null
  /** Likewise for the thumbnail. */
  thumbnail_file: string | null
  /** The video's stable download URL in the `release`, when it was published there. */
  release_url: string | null
}

/** A result with what the publishers need beyond the contract's fields. */
export interface Row extends Result {
  title: string | null
  estimatedSeconds: number | null
  problems: Problem[]
  /** True while the row is still being generated (live comment). */
  pending?: boolean
  /** Queue status while pending: `queued`, `processing`, ... */
  remoteStatus?: string
  /** The row was picked up from an earlier run's request instead of submitted. */
  resumed?: boolean
  /** What is (or, in a dry run, would be) sent for a valid script; a dry run's report shows it. */
  payload?: Record<string, unknown>
  /**
   * The script at the pull request's base, for the comment's before/after: null when it is new
   * there; absent when there is nothing to compare with (not a pull request).
   */
  before?: Before | null
}

/** A script's earlier version: what it would send, and its video when one was found unpaid. */
export interface Before {
  /** Null when the earlier version could not be read (a shallow checkout) or is invalid. */
  payload: Record<string, unknown> | null
  /** The hash of that payload, by which its video is found; null with no payload. */
  hash: string | null
  /** Its video, found by the payload's hash where reuse looks; null when none was found. */
  video: {
    request_id: string | null
    video_url: string | null
    thumbnail_url: string | null
  } | null
}
