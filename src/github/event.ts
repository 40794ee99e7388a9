// What the triggering event says, read once from the runner's environment.
import os from 'node:os'
import { context } from '@actions/github'

export interface PullRequestInfo {
  number: number
  headSha: string
  baseSha: string
  authorAssociation: string
  author: string
  /** The head branch lives in another repository: its runs get no secrets and a read-only token. */
  fromFork: boolean
  changedFiles: number | null
}

export interface PushInfo {
  /** The pushed ref, e.g. `refs/heads/main`. */
  ref: string
  /** The branch name of `ref`. */
  branch: string
  /** All zeros when the push created the branch. */
  before: string
  /** All zeros when the push deleted the branch. */
  after: string
  /** The push created the branch: there is no `before` to compare with. */
  created: boolean
  /** The push deleted the branch: nothing to generate. */
  deleted: boolean
  forced: boolean
  defaultBranch: string | null
}

const ZERO_SHA = /^0+$/

/** What a `push` event's payload says, read once. */
export function readPush(payload: Record<string, unknown>): PushInfo {
  const ref = String(payload.ref ?? '')
  const before = String(payload.before ?? '')
  const after = String(payload.after ?? '')
  const repository = payload.repository as Record<string, unknown> | undefined
  return {
    ref,
    branch: ref.replace(/^refs\/heads\//, ''),
    before,
    after,
    created: ZERO_SHA.test(before),
    deleted: ZERO_SHA.test(after),
    forced: payload.forced === true,
    defaultBranch: String(repository?.default_branch ?? '') || null
  }
}

export interface EventInfo {
  name: string
  owner: string
  repo: string
  /** The commit the run is for. */
  sha: string
  serverUrl: string
  runUrl: string | null
  pullRequest: PullRequestInfo | null
  push: PushInfo | null
  mergeGroup: { baseSha: string; headSha: string } | null
  /** `scripts` given to a workflow_dispatch run, one glob per line. */
  dispatchScripts: string | null
}

type Json = Record<string, unknown>

export function readEvent(): EventInfo {
  const payload = context.payload as Json
  const { owner, repo } = context.repo
  const pr = payload.pull_request as Json | undefined
  const head = pr?.head as Json | undefined
  const base = pr?.base as Json | undefined
  const headRepo = head?.repo as Json | undefined
  const baseRepo = base?.repo as Json | undefined
  const mergeGroup = payload.merge_group as Json | undefined
  const inputs = payload.inputs as Json | undefined
  const runUrl = context.runId
    ? `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`
    : null

  return {
    name: context.eventName,
    owner,
    repo,
    sha: (head?.sha as string) ?? context.sha,
    serverUrl: context.serverUrl,
    runUrl,
    pullRequest: pr
      ? {
          number: pr.number as number,
          headSha: head?.sha as string,
          baseSha: base?.sha as string,
          authorAssociation: String(pr.author_association ?? 'NONE').toUpperCase(),
          author: String((pr.user as Json | undefined)?.login ?? ''),
          fromFork: Boolean(headRepo && baseRepo && headRepo.full_name !== baseRepo.full_name),
          changedFiles: typeof pr.changed_files === 'number' ? pr.changed_files : null
        }
      : null,
    push: context.eventName === 'push' ? readPush(payload) : null,
    mergeGroup: mergeGroup
      ? { baseSha: String(mergeGroup.base_sha), headSha: String(mergeGroup.head_sha) }
      : null,
    dispatchScripts:
      typeof inputs?.scripts === 'string' && inputs.scripts.trim() ? inputs.scripts : null
  }
}

/** The runner's folder for a job's own files, emptied after every job. */
export function tempDir(): string {
  return process.env.RUNNER_TEMP ?? os.tmpdir()
}
