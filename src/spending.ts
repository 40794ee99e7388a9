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
  'A maintainer can approve it by adding the label the workflow runs on for approval (see "Who may spend the key" in the action\'s docs/trust.md), or by running the workflow manually after merging.'

/** For a comment, review, discussion or issue: a maintainer's own starts a run that spends. */
const ACTOR_APPROVAL =
  'A maintainer can approve it by causing the event themselves (for example, with a comment of their own), or by running the workflow manually.'

/** For a run nobody's association is known for: only a maintainer's own run, or the workflow. */
const MANUAL_APPROVAL =
  'A maintainer can approve it by running the workflow manually (workflow_dispatch) once they trust the commit, or the workflow can pass NONE in allowed-associations for the runs it approves itself (see "Who may spend the key" in the action\'s docs/trust.md).'

/** Events only people with write access to the repository can cause: they always spend. */
const WRITERS_ONLY = new Set([
  'push',
  'merge_group',
  'workflow_dispatch',
  'schedule',
  'repository_dispatch',
  'release',
  'create',
  'delete'
])

/** Events whose runs for a fork GitHub gives no secrets (and a read-only token). */
const NO_SECRETS_FOR_FORKS = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment'
])

/** Someone whose association must be in allowed-associations for the run to spend. */
interface Gate {
  /** The start of the notice: whose association, and what it is. */
  whose: string
  association: string
  approval: string
}

/**
 * Whose associations decide whether this run spends: none when only writers can cause the event.
 * An outsider can cause any other event, so where GitHub names nobody's association (an event the
 * action does not know, a workflow_run after a fork's pull request) it counts as NONE.
 */
function gates(event: EventInfo): Gate[] {
  if (WRITERS_ONLY.has(event.name)) return []
  const gates: Gate[] = []
  const pr = event.pullRequest
  if (pr) {
    const whose = `The pull request author's association with the repository (${pr.authorAssociation})`
    gates.push({ whose, association: pr.authorAssociation, approval: APPROVAL })
  }
  const actor = event.actor
  if (actor) {
    const whose = `The ${actor.role}'s association with the repository (${actor.association})`
    gates.push({ whose, association: actor.association, approval: ACTOR_APPROVAL })
  }
  if (gates.length) return gates
  const run = event.workflowRun
  if (run && !run.fromFork && (WRITERS_ONLY.has(run.event) || run.event === 'pull_request')) {
    return []
  }
  const whose = !run
    ? `The action does not know who can cause a ${event.name} event; it counts as NONE, which`
    : run.fromFork
      ? "This workflow_run follows a run for another repository's commit (a fork's pull request), whose author GitHub does not name here; it counts as NONE, which"
      : `This workflow_run follows a ${run.event} run, which someone without write access can cause, and GitHub does not name who did; it counts as NONE, which`
  return [{ whose, association: 'NONE', approval: MANUAL_APPROVAL }]
}

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
  // GitHub gives a fork's `pull_request` runs no secrets: missing the key is expected there.
  if (event.pullRequest?.fromFork && NO_SECRETS_FOR_FORKS.has(event.name) && !settings.apiKey) {
    return {
      dryRun: true,
      notice: `Pull requests from forks get no secrets, so the API key is not available here: the scripts were checked, no videos were generated. ${APPROVAL}`
    }
  }
  const allowed = settings.allowedAssociations
  const refused = gates(event).find(gate => !allowed.includes(gate.association))
  if (refused) {
    return {
      dryRun: true,
      notice: `${refused.whose} is not in allowed-associations (${allowed.join(', ')}), so the scripts were checked and no videos were generated. ${refused.approval}`
    }
  }
  if (!settings.apiKey && keyNeeded) {
    throw new InputError(
      'api-key is required to generate videos: pass it from a secret (api-key: ${{ secrets.GMI_API_KEY }}), or set dry-run: true to only check the scripts'
    )
  }
  return { dryRun: false }
}
