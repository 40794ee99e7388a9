// Decides whether this run may spend the API key, and if not, tells the reader why.
import type { EventInfo } from './github/event.js'
import { InputError, type Settings } from './settings.js'

export interface Spending {
  dryRun: boolean
  /** Why nothing is submitted (a dry run), for the log, the comment and the summary. */
  notice?: string
}

export function decideSpending(settings: Settings, event: EventInfo): Spending {
  if (settings.dryRun) {
    return { dryRun: true, notice: 'dry-run is on: the scripts were checked and reported.' }
  }
  const pr = event.pullRequest
  if (pr && !settings.allowedAssociations.includes(pr.authorAssociation)) {
    return {
      dryRun: true,
      notice: `The author's association with the repository (${pr.authorAssociation}) is not in allowed-associations (${settings.allowedAssociations.join(', ')}), so no videos were generated. A maintainer can generate them by re-running this workflow from a trusted event, such as a label or a manual run.`
    }
  }
  if (!settings.apiKey) {
    if (pr?.fromFork && event.name === 'pull_request') {
      return {
        dryRun: true,
        notice:
          'Pull requests from forks get no secrets, so the API key is not available. Scripts were checked; videos are generated once the change is merged or a maintainer runs the workflow.'
      }
    }
    throw new InputError(
      'api-key is required to generate videos: pass it from a secret (api-key: ${{ secrets.GMI_API_KEY }}), or set dry-run: true to only check the scripts'
    )
  }
  return { dryRun: false }
}
