// Never pay twice: gathers the requests earlier runs left (this pull request's comment, on a push
// the merged pull requests' comments, else the queue's request list) and plans reuse and resume.
import type { GitHubClient } from '../github/client.js'
import type { EventInfo } from '../github/event.js'
import type { MergedPullRequest } from '../github/pulls.js'
import { tokenIdentity } from '../publish/comment.js'
import { marker } from '../publish/render.js'
import type { SavedEntry } from '../publish/state.js'
import type { QueueClient } from '../queue/client.js'
import type { VideoRequest } from '../types.js'
import { earlierFromState, planJobs, wantsEarlierVideo, type ReusePlan } from './plan.js'
import { earlierFromMergedPulls, earlierFromRequestList, type Log } from './sources.js'

export type { ReusePlan } from './plan.js'

export interface ReuseOptions {
  requests: VideoRequest[]
  /** What this pull request's sticky comment saved, when there is one. */
  saved: SavedEntry[]
  event: EventInfo
  /** On a push, the pull requests it merged: their comments hold what reviewers saw. */
  mergedPulls: MergedPullRequest[]
  github: GitHubClient | null
  client: QueueClient
  /** The `reuse` input: `false` submits every request anew. */
  reuse: boolean
  commentKey: string
  signal?: AbortSignal
  log: Log
  warn: Log
}

/**
 * The jobs to run. Sources are read in order of trust and cost, and the request list, the only
 * one that costs a call to the queue, is read only for requests nothing else matched.
 */
export async function planReuse(options: ReuseOptions): Promise<ReusePlan> {
  const { requests, github, event, warn } = options
  if (!options.reuse) return planJobs(requests, [])
  const earlier = earlierFromState(options.saved, "this pull request's comment")
  if (github && options.mergedPulls.length) {
    const identity = await tokenIdentity(github)
    const pulls = options.mergedPulls
    const source = { github, event, pulls, marker: marker(options.commentKey), identity, warn }
    earlier.push(...(await earlierFromMergedPulls(source)))
  }
  const unmatched = requests.filter(request => wantsEarlierVideo(request, earlier))
  if (unmatched.length) {
    const source = {
      client: options.client,
      requests: unmatched,
      signal: options.signal,
      log: options.log,
      warn
    }
    earlier.push(...(await earlierFromRequestList(source)))
  }
  const plan = planJobs(requests, earlier)
  for (const note of plan.notes) options.log(note)
  return plan
}
