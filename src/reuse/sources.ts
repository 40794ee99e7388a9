// Where earlier requests are found: the hidden state of the bot's own pull-request comments, and
// the request queue's list of the account's requests. Each source fails soft: reuse only saves
// money, so a source that cannot be read means paying again, never a failed run.
import type { GitHubClient } from '../github/client.js'
import type { EventInfo } from '../github/event.js'
import type { MergedPullRequest } from '../github/pulls.js'
import { findComment, type Identity } from '../publish/comment.js'
import { decodeState } from '../publish/state.js'
import { shownOf, type QueueClient, type RemoteRequest, type RequestList } from '../queue/client.js'
import { hashRequest } from '../script/index.js'
import type { VideoRequest } from '../types.js'
import { earlierFromState, type Earlier } from './plan.js'

export type Log = (message: string) => void

/** Merged pull requests of a push whose comments are read: a commit rarely lands through more. */
const MAX_PULLS = 5
/** Listed requests whose status is looked up when the list does not show payloads. */
const MAX_LOOKUPS = 10

export interface PullSource {
  github: GitHubClient
  event: EventInfo
  /** The pull requests the push merged. */
  pulls: MergedPullRequest[]
  /** The sticky comment's hidden marker for this `comment-key`. */
  marker: string
  /** Only comments this login wrote are trusted. */
  identity: Identity
  warn: Log
}

/**
 * On a push, the saved state of the pull requests it merged: what the reviewers already saw.
 * Only the bot's own comments count.
 */
export async function earlierFromMergedPulls(source: PullSource): Promise<Earlier[]> {
  const { github, event, pulls, marker, identity, warn } = source
  const found: Earlier[] = []
  for (const pull of pulls.slice(0, MAX_PULLS)) {
    const target = { owner: event.owner, repo: event.repo, issueNumber: pull.number }
    try {
      const comment = await findComment(github, target, marker, identity)
      const entries = decodeState(comment?.body ?? '')
      found.push(...earlierFromState(entries, `pull request #${pull.number}`))
    } catch (error) {
      warn(
        `Could not read the comments of pull request #${pull.number}: ${(error as Error).message}`
      )
    }
  }
  return found
}

export interface ListSource {
  client: QueueClient
  /** The requests still looking for an earlier video. */
  requests: VideoRequest[]
  signal?: AbortSignal
  log: Log
  warn: Log
}

/**
 * `client`, reading each model's request list at most once for all the lookups of earlier videos
 * in a run (the before/after and reuse): every call counts against the organisation's rate limit,
 * and both look before anything is submitted. A list that could not be read is asked again.
 * Polling uses the client itself, which reads the list afresh each time.
 */
export function listOnce(client: QueueClient): QueueClient {
  const lists = new Map<string, Promise<RequestList>>()
  return {
    ...client,
    list(model, signal, maxPages) {
      const key = `${model}\0${maxPages ?? ''}`
      const known = lists.get(key)
      if (known) return known
      const reading = client.list(model, signal, maxPages)
      lists.set(key, reading)
      reading.catch(() => lists.delete(key))
      return reading
    }
  }
}

/**
 * Earlier requests of identical payloads in the queue's own list, as far as it shows them (its
 * paging is undocumented: the pages it names are followed, and a list shown only in part is said
 * in the log). Where the list does not echo payloads, the newest few candidates are looked up by
 * id; if those answers carry no payload either, nothing can match.
 */
export async function earlierFromRequestList(source: ListSource): Promise<Earlier[]> {
  const found: Earlier[] = []
  for (const model of new Set(source.requests.map(r => r.model))) {
    const wanted = new Set(source.requests.filter(r => r.model === model).map(r => r.hash))
    let listed: RemoteRequest[]
    try {
      const list = await source.client.list(model, source.signal)
      listed = list.requests
      if (!list.complete) {
        source.log(
          `Reuse: the request list of ${model} shows ${shownOf(list)}: an earlier identical video among those not shown is not found, and would be paid for again`
        )
      }
    } catch (error) {
      source.warn(
        `Could not read the request list to find earlier identical videos of ${model}: ${(error as Error).message}`
      )
      continue
    }
    const candidates = listed.filter(r => stateOf(r))
    const shown = candidates.filter(r => r.payload !== undefined)
    const looked = await lookUp(
      source.client,
      newestFirst(candidates.filter(r => r.payload === undefined)).slice(0, MAX_LOOKUPS),
      source.signal
    )
    for (const remote of [...shown, ...looked]) {
      const state = stateOf(remote)
      const hash = hashOf(model, remote.payload)
      if (state && hash && wanted.has(hash)) {
        found.push({ hash, requestId: remote.requestId, state, from: 'found in the request list' })
      }
    }
  }
  return found
}

/** Status answers of `listed`, one at a time, stopping at the first that shows no payload. */
async function lookUp(
  client: QueueClient,
  listed: RemoteRequest[],
  signal?: AbortSignal
): Promise<RemoteRequest[]> {
  const answers: RemoteRequest[] = []
  for (const remote of listed) {
    try {
      const answer = await client.get(remote.requestId, signal)
      if (answer.payload === undefined) break
      answers.push(answer)
    } catch {
      // One unreadable request says nothing about the others.
    }
  }
  return answers
}

function stateOf(remote: RemoteRequest): Earlier['state'] | null {
  if (remote.status === 'success') return 'done'
  return remote.terminal ? null : 'rendering'
}

function hashOf(model: string, payload: unknown): string | null {
  if (payload === null || typeof payload !== 'object') return null
  try {
    return hashRequest(model, payload)
  } catch {
    return null
  }
}

function newestFirst(listed: RemoteRequest[]): RemoteRequest[] {
  return [...listed].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
}
