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

type Json = Record<string, unknown>

function association(value: unknown): string {
  return String(value ?? 'NONE').toUpperCase()
}

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

/**
 * Whoever's action started the run, where someone without write access may have: the author of
 * the comment, review, discussion or issue the event is about.
 */
export interface ActorInfo {
  /** Who they are in a sentence: "commenter", "reviewer". */
  role: string
  /** Their `author_association`, upper-case; NONE when the payload names none. */
  association: string
}

/** The event's object each of these events is about, whose author caused it, and their role. */
const AUTHORED: Record<string, { key: string; role: string }> = {
  issue_comment: { key: 'comment', role: 'commenter' },
  pull_request_review: { key: 'review', role: 'reviewer' },
  pull_request_review_comment: { key: 'comment', role: 'commenter' },
  discussion: { key: 'discussion', role: 'discussion author' },
  discussion_comment: { key: 'comment', role: 'commenter' },
  issues: { key: 'issue', role: 'issue author' }
}

/**
 * Who caused an event of this name, where the payload says. On a comment (of a pull request too)
 * that is the comment's author, not the issue's: the commenter started the run. Where someone
 * else acted on it (a maintainer labelling an outsider's issue), the author still decides, which
 * errs towards not spending.
 */
function readActor(name: string, payload: Json): ActorInfo | null {
  const authored = AUTHORED[name]
  if (!authored) return null
  const object = payload[authored.key] as Json | undefined
  return { role: authored.role, association: association(object?.author_association) }
}

export interface WorkflowRunInfo {
  /** The run before this one was for a commit of another repository: a fork's pull request. */
  fromFork: boolean
  /** The event that started the run before this one, e.g. `push`. */
  event: string
}

/** What a `workflow_run` event's payload says about the run that triggered it. */
function readWorkflowRun(payload: Json): WorkflowRunInfo | null {
  const run = payload.workflow_run as Json | undefined
  if (!run) return null
  const head = String((run.head_repository as Json | undefined)?.full_name ?? '')
  const own = String((payload.repository as Json | undefined)?.full_name ?? '')
  // No head repository to compare counts as another's: nothing says it is this one.
  return { fromFork: !head || !own || head !== own, event: String(run.event ?? '') }
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
  /** The commenter, reviewer or author who caused the run, for the events that name one. */
  actor: ActorInfo | null
  workflowRun: WorkflowRunInfo | null
  /**
   * The ref the run is for: the pushed or dispatched one, e.g. `refs/heads/main` or
   * `refs/tags/v1`; for other events, the runner's GITHUB_REF.
   */
  ref: string
  /** The repository's default branch, from the payload; null when it does not say (schedule). */
  defaultBranch: string | null
  /** `scripts` given to a workflow_dispatch run, one glob per line. */
  dispatchScripts: string | null
}

/** What the runner says of the event: the toolkit's `context`, or a test's stand-in for it. */
export type EventSource = Pick<
  typeof context,
  'eventName' | 'payload' | 'repo' | 'sha' | 'serverUrl' | 'runId' | 'ref'
>

export function readEvent(source: EventSource = context): EventInfo {
  const payload = source.payload as Json
  const { owner, repo } = source.repo
  const pr = payload.pull_request as Json | undefined
  const head = pr?.head as Json | undefined
  const base = pr?.base as Json | undefined
  const headRepo = head?.repo as Json | undefined
  const baseRepo = base?.repo as Json | undefined
  const mergeGroup = payload.merge_group as Json | undefined
  const inputs = payload.inputs as Json | undefined
  const repository = payload.repository as Json | undefined
  const runUrl = source.runId
    ? `${source.serverUrl}/${owner}/${repo}/actions/runs/${source.runId}`
    : null

  return {
    name: source.eventName,
    owner,
    repo,
    sha: (head?.sha as string) ?? source.sha,
    serverUrl: source.serverUrl,
    runUrl,
    pullRequest: pr
      ? {
          number: pr.number as number,
          headSha: head?.sha as string,
          baseSha: base?.sha as string,
          authorAssociation: association(pr.author_association),
          author: String((pr.user as Json | undefined)?.login ?? ''),
          fromFork: Boolean(headRepo && baseRepo && headRepo.full_name !== baseRepo.full_name),
          changedFiles: typeof pr.changed_files === 'number' ? pr.changed_files : null
        }
      : null,
    push: source.eventName === 'push' ? readPush(payload) : null,
    mergeGroup: mergeGroup
      ? { baseSha: String(mergeGroup.base_sha), headSha: String(mergeGroup.head_sha) }
      : null,
    actor: readActor(source.eventName, payload),
    workflowRun: source.eventName === 'workflow_run' ? readWorkflowRun(payload) : null,
    ref: typeof payload.ref === 'string' && payload.ref ? payload.ref : source.ref,
    defaultBranch: String(repository?.default_branch ?? '') || null,
    dispatchScripts:
      typeof inputs?.scripts === 'string' && inputs.scripts.trim() ? inputs.scripts : null
  }
}

/** The runner's folder for a job's own files, emptied after every job. */
export function tempDir(): string {
  return process.env.RUNNER_TEMP ?? os.tmpdir()
}
