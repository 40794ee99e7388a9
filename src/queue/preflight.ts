// Checks the key and each model once before anything is submitted, so a bad key or an unknown
// model is one clear error instead of one failure per script, and reads what each model declares.
import type { QueueClient } from './client.js'
import { QueueError } from './http.js'
import { listed } from '../log.js'
import { readParameterNames, suggestion, undeclaredKeys } from './models.js'
import type { VideoRequest } from '../types.js'

export class PreflightError extends Error {
  override name = 'PreflightError'
}

/** What the model-details answer said of one model. */
export interface ModelDetails {
  model: string
  /** The parameter names it declares; null when it lists none, or could not be read. */
  parameters: string[] | null
}

/**
 * Throws PreflightError when the key or a model is refused; other trouble is only a warning.
 * Returns the details of each model that could be read.
 */
export async function preflight(
  client: QueueClient,
  models: string[],
  warn: (message: string) => void,
  signal?: AbortSignal
): Promise<ModelDetails[]> {
  const details: ModelDetails[] = []
  for (const model of new Set(models)) {
    try {
      const answer = await client.modelInfo(model, signal)
      details.push({ model, parameters: readParameterNames(answer) })
    } catch (error) {
      if (!(error instanceof QueueError)) throw error
      if (error.status === 401 || error.status === 403) {
        throw new PreflightError(`The request queue refused the API key: ${error.message}`)
      }
      // A redirect away from the queue (only those within it are followed): api-url is wrong.
      if (error.status && error.status >= 300 && error.status < 400) {
        throw new PreflightError(error.message)
      }
      if (error.status === 404) {
        // GMI publishes pages for both `heygen-avatar-4` and `heygen-avatar-v4`, and ids are
        // case-sensitive (request-queue.md, "Evidence from live clients": model id): the ids this
        // key can use tell which one the account has.
        const available = await client.models(signal).catch((e: unknown) => e as Error)
        throw new PreflightError(
          `The request queue does not know model "${model}" or this key has no access to it (model ids are case-sensitive): ${error.message}${suggestion(model, available)}`
        )
      }
      // The model endpoint's shape is undocumented; its trouble must not block paid work.
      warn(`Could not check model "${model}" before submitting: ${error.message}`)
    }
  }
  return details
}

/**
 * Logs each model's declared parameters (debug), and warns once for each top-level payload key a
 * model does not declare, naming the scripts that send it.
 */
export function reportParameters(
  details: ModelDetails[],
  requests: VideoRequest[],
  log: { debug: (message: string) => void; warn: (message: string) => void }
): void {
  for (const { model, parameters } of details) {
    if (!parameters) {
      log.debug(`Model ${model}: its details list no parameters`)
      continue
    }
    // The names are the queue's: however many it lists, a few are shown, and the rest counted.
    const declared = listed(parameters)
    log.debug(`Model ${model} declares the parameters: ${declared}`)
    for (const [key, files] of undeclaredKeys(requests, model, parameters)) {
      const more = files.length > 3 ? ` and ${files.length - 3} more` : ''
      log.warn(
        `Model "${model}" does not declare the payload key "${key}" (it declares ${declared}), which ${files.slice(0, 3).join(', ')}${more} ${files.length === 1 ? 'sends' : 'send'}: the queue may ignore or refuse it`
      )
    }
  }
}
