// One row per script: what the comment, summary, artifact manifest and outputs are made of.
import { problemText } from './script/index.js'
import type { Result, Row, ScriptOutcome, VideoRequest } from './types.js'

export function rowsFor(outcomes: ScriptOutcome[], dryRun: boolean): Row[] {
  return outcomes.map(outcome => {
    // Not read, so neither valid nor invalid: shown with why, read again by the next run.
    if (!outcome.ok && outcome.skipped) return { ...blank(outcome.file), error: outcome.skipped }
    if (!outcome.ok) {
      return {
        ...blank(outcome.file),
        status: 'invalid',
        problems: outcome.problems,
        error: outcome.problems.map(problemText).join('\n')
      }
    }
    const { request } = outcome
    return {
      ...blank(request.file),
      status: 'skipped',
      hash: request.hash,
      title: request.title,
      estimatedSeconds: request.estimatedSeconds,
      payload: request.payload,
      pending: !dryRun,
      remoteStatus: dryRun ? undefined : 'waiting'
    }
  })
}

/** The valid scripts' requests. */
export function requestsOf(outcomes: ScriptOutcome[]): VideoRequest[] {
  return outcomes.flatMap(o => (o.ok ? [o.request] : []))
}

export function toResult(row: Row): Result {
  return {
    file: row.file,
    status: row.pending ? 'timeout' : row.status,
    hash: row.hash,
    request_id: row.request_id,
    video_url: row.video_url,
    thumbnail_url: row.thumbnail_url,
    duration: row.duration,
    error: row.error,
    media_urls: row.media_urls,
    video_file: row.video_file,
    thumbnail_file: row.thumbnail_file,
    release_url: row.release_url
  }
}

function blank(file: string): Row {
  return {
    file,
    status: 'skipped',
    hash: null,
    request_id: null,
    video_url: null,
    thumbnail_url: null,
    duration: null,
    error: null,
    media_urls: null,
    video_file: null,
    thumbnail_file: null,
    release_url: null,
    title: null,
    estimatedSeconds: null,
    problems: []
  }
}
