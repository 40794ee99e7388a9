// Decides whether this run may spend the API key, and if not, tells the reader why and what
// would let it.
import type { EventInfo } from './github/event.js'
import { InputError, type Settings } from './settings.js'

export interface Spending {
  dryRun: boolean
  /** Why nothing is submitted (a dry run), for the log, the comment and the summary. */
  notice?: string
}

const APPROVAL =
  'A maintainer can approve it by adding the label the workflow runs on for approval (see "Who may spend" in the action\'s README), or by running the workflow manually after merging.'

/**
 * `keyNeeded: false` for a job that never submits (the aggregate job of a matrix): it only needs
 * to know what its shards decided, and a missing key is then no error.
 */
export function decideSpending(
  settings: Settings,
  event: EventInfo,
  { keyNeeded = true }: { keyNeeded?: boolean } = {}
): Spending {
  if (settings.dryRun) {
    return { dryRun: true, notice: 'dry-run is on: the scripts were checked and reported.' }
  }
  const pr = event.pullRequest
  // GitHub gives a fork's `pull_request` runs no secrets: missing the key is expected there.
  if (pr?.fromFork && event.name === 'pull_request' && !settings.apiKey) {
    return {
      dryRun: true,
      notice: `Pull requests from forks get no secrets, so the API key is not available here: the scripts were checked, no videos were generated. ${APPROVAL}`
    }
  }
  if (pr && !settings.allowedAssociations.includes(pr.authorAssociation)) {
    return {
      dryRun: true,
      notice: `The author's association with the repository (${pr.authorAssociation}) is not in allowed-associations (${settings.allowedAssociations.join(', ')}), so the scripts were checked and no videos were generated. ${APPROVAL}`
    }
  }
  if (!settings.apiKey && keyNeeded) {
    throw new InputError(
      'api-key is required to generate videos: pass it from a secret (api-key: ${{ secrets.GMI_API_KEY }}), or set dry-run: true to only check the scripts'
    )
  }
  return { dryRun: false }
}
