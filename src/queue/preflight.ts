// Checks the key and each model once before anything is submitted, so a bad key or an unknown
// model is one clear error instead of one failure per script.
import type { QueueClient } from './client.js'
import { QueueError } from './http.js'

export class PreflightError extends Error {
  override name = 'PreflightError'
}

/** Throws PreflightError when the key or a model is refused; other trouble is only a warning. */
export async function preflight(
  client: QueueClient,
  models: string[],
  warn: (message: string) => void,
  signal?: AbortSignal
): Promise<void> {
  for (const model of new Set(models)) {
    try {
      await client.modelInfo(model, signal)
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
        throw new PreflightError(
          `The request queue does not know model "${model}" or this key has no access to it (model ids are case-sensitive): ${error.message}`
        )
      }
      // The model endpoint's shape is undocumented; its trouble must not block paid work.
      warn(`Could not check model "${model}" before submitting: ${error.message}`)
    }
  }
}
