// What the script tests share.
import type { ScriptOutcome, VideoRequest } from '../../src/types.js'

/** The request of a script that must be valid; its problems, as the failure, when it is not. */
export function requestOf(outcome: ScriptOutcome): VideoRequest {
  if (!outcome.ok) throw new Error(`expected a valid script: ${JSON.stringify(outcome.problems)}`)
  return outcome.request
}
