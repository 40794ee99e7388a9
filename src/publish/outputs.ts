// Sets the step outputs of the contract from the results, scrubbed of the key.
import * as core from '@actions/core'
import { toResult } from '../rows.js'
import { SUCCEEDED, type Result, type Row } from '../types.js'

export function counts(results: Result[]): { succeeded: number; failed: number } {
  const succeeded = results.filter(r => SUCCEEDED.has(r.status)).length
  const skipped = results.filter(r => r.status === 'skipped').length
  return { succeeded, failed: results.length - succeeded - skipped }
}

/** The step's outputs: set by the publishing, or, on a run that fails before then, empty. */
export interface Outputs {
  set(results: Result[], published: Published): void
  /** Whether set() was called: a failed run sets the outputs only if nothing has yet. */
  readonly written: boolean
}

/** Where the results were published. */
export interface Published {
  commentUrl: string | null
  artifactId: number | null
  directory?: string | null
}

export function recordOutputs(): Outputs {
  let written = false
  return {
    set(results, published) {
      setOutputs(results, published)
      written = true
    },
    get written() {
      return written
    }
  }
}

function setOutputs(results: Result[], published: Published): void {
  const { succeeded, failed } = counts(results)
  core.setOutput('results', JSON.stringify(results))
  core.setOutput(
    'video-urls',
    results
      .filter(r => SUCCEEDED.has(r.status) && r.video_url)
      .map(r => r.video_url)
      .join('\n')
  )
  core.setOutput('succeeded', String(succeeded))
  core.setOutput('failed', String(failed))
  core.setOutput('comment-url', published.commentUrl ?? '')
  core.setOutput('artifact-id', published.artifactId === null ? '' : String(published.artifactId))
  core.setOutput('directory', published.directory ?? '')
  core.setOutput(
    'release-urls',
    results
      .map(r => r.release_url)
      .filter(Boolean)
      .join('\n')
  )
}

/**
 * The results as outputs and the manifest show them. Media URLs and remote error texts could
 * echo the key back, and outputs and artifacts are not masked like logs.
 */
export function publicResults(rows: Row[], redact: (text: string) => string): Result[] {
  return JSON.parse(redact(JSON.stringify(rows.map(toResult))))
}
