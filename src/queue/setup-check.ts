// "Check my setup": a dry run given an API key asks the queue what this account sees, without
// submitting anything, so the first run with a new key finds a refused key, a model id the
// account does not have (`heygen-avatar-4` or `heygen-avatar-v4`), and whether the request list
// shows the payloads that reuse relies on, before anything is paid for.
import { shownOf, type QueueClient } from './client.js'
import { QueueError } from './http.js'
import { listed } from '../log.js'
import { preflight, PreflightError, type ModelDetails } from './preflight.js'

export interface SetupCheck {
  /** What the account sees, one finding a line: for the log, the comment and the summary. */
  findings: string[]
  /** What stops the key or model from working, when something does: the step fails with it. */
  problem: string | null
  /** The details of each model that could be read. */
  details: ModelDetails[]
}

/** Model information for each model, then one page of the request list of the first. */
export async function checkSetup(
  client: QueueClient,
  models: string[],
  signal?: AbortSignal
): Promise<SetupCheck> {
  const findings: string[] = []
  const warnings: string[] = []
  let details: ModelDetails[]
  try {
    details = await preflight(client, models, w => warnings.push(w), signal)
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error
    return { findings: [error.message], problem: error.message, details: [] }
  }
  findings.push('The request queue accepts the API key.')
  for (const { model, parameters } of details) {
    findings.push(
      parameters
        ? `Model ${model} is available; it declares the parameters ${listed(parameters)}.`
        : `Model ${model} is available; its details list no parameters.`
    )
  }
  findings.push(...warnings)

  const [first] = [...new Set(models)]
  if (first) findings.push(await listFinding(client, first, signal))
  return { findings, problem: null, details }
}

/** Whether the request list shows payloads: reuse and the adoption of a lost submission need them. */
async function listFinding(
  client: QueueClient,
  model: string,
  signal?: AbortSignal
): Promise<string> {
  try {
    const list = await client.list(model, signal, 1)
    const shown = list.requests.filter(r => r.payload !== undefined).length
    const size = `The request list of ${model} shows ${shownOf(list)}`
    if (!list.requests.length) {
      return `${size}: whether it shows payloads, which reuse relies on, is known once the first video is made.`
    }
    if (shown === list.requests.length) {
      return `${size}, with their payloads: reuse can find earlier identical videos in it.`
    }
    return `${size}, ${shown ? `only ${shown} with a payload` : 'without payloads'}: reuse relies on the pull requests' comments and looks up at most 10 listed requests one by one, and a submission whose answer is lost fails rather than risk paying twice.`
  } catch (error) {
    const message = error instanceof QueueError ? error.message : String(error)
    return `The request list of ${model} could not be read (${message}): reuse relies on the pull requests' comments alone.`
  }
}
