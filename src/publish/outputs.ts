// Sets the step outputs of the contract from the results.
import * as core from '@actions/core'
import { SUCCEEDED, type Result } from '../types.js'

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
