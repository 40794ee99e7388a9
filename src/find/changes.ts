// The files the triggering event changed, from GitHub's API: a pull request's file list, or a
// comparison of two commits for pushes and merge queues. Where GitHub's lists stop (3000 files of
// a pull request, 300 of a comparison), the local git history completes them when it can.
import type { GitHubClient } from '../github/client.js'
import { explainGitHubError } from '../github/client.js'
import type { EventInfo, PullRequestInfo, PushInfo } from '../github/event.js'
import { localChanges } from './git.js'

export interface ChangedFile {
  path: string
  /** GitHub's statuses: added, modified, removed, renamed, copied, changed, unchanged. */
  status: string
  previousPath?: string
  /** Lines added plus removed; 0 for a rename that kept the content. */
  changes?: number
}

export type Changes =
  | { kind: 'files'; files: ChangedFile[]; source: string }
  /** The event names no earlier commit to compare with: every matching file counts. */
  | { kind: 'all'; source: string }

interface Context {
  github: GitHubClient
  event: EventInfo
  workspace: string
  log: (message: string) => void
  warn: (message: string) => void
}

/** GitHub lists at most this many files of a pull request... */
const PULL_FILES_LISTED = 3000
/** ...and of a comparison, all on its first page (the compare API pages commits, not files). */
const COMPARE_FILES_LISTED = 300

export async function findChanges(context: Context): Promise<Changes> {
  const { event } = context
  if (event.pullRequest) return pullRequestChanges(context, event.pullRequest)
  if (event.push) return pushChanges(context, event.push)
  if (event.mergeGroup) {
    const { baseSha, headSha } = event.mergeGroup
    return compareChanges(context, baseSha, headSha)
  }
  return { kind: 'all', source: `every matching file (a ${event.name} event names no changes)` }
}

async function pullRequestChanges(context: Context, pr: PullRequestInfo): Promise<Changes> {
  const { github, event } = context
  let listed
  try {
    listed = await github.paginate(github.rest.pulls.listFiles, {
      owner: event.owner,
      repo: event.repo,
      pull_number: pr.number,
      per_page: 100
    })
  } catch (error) {
    const action = `Listing the files of pull request #${pr.number}`
    throw new Error(explainGitHubError(error, action, 'pull-requests: read'))
  }
  const files = listed.map(toChangedFile)
  const source = `the ${files.length} files changed by pull request #${pr.number}`
  const complete =
    files.length < PULL_FILES_LISTED ||
    (pr.changedFiles !== null && pr.changedFiles <= files.length)
  if (complete) return { kind: 'files', files, source }
  const counted = pr.changedFiles === null ? 'more' : `${pr.changedFiles}`
  const cap = `GitHub lists only ${PULL_FILES_LISTED} of the ${counted} files pull request #${pr.number} changed`
  return completeLocally(context, { base: pr.baseSha, head: pr.headSha }, { files, source, cap })
}

async function pushChanges(context: Context, push: PushInfo): Promise<Changes> {
  if (push.deleted) {
    return { kind: 'files', files: [], source: `the deletion of ${push.ref} (nothing to generate)` }
  }
  if (!push.created) return compareChanges(context, push.before, push.after)
  // A new branch: what it adds to the default branch. The default branch's own first push has
  // nothing to compare with.
  if (!push.defaultBranch || push.branch === push.defaultBranch) {
    return { kind: 'all', source: `every matching file (the first push of ${push.ref})` }
  }
  context.log(`${push.ref} is new: comparing it with the default branch, ${push.defaultBranch}`)
  return compareChanges(context, push.defaultBranch, push.after)
}

async function compareChanges(context: Context, base: string, head: string): Promise<Changes> {
  const { github, event, log } = context
  const basehead = `${base}...${head}`
  let data
  try {
    // No paging parameters: the files come whole (up to 300) with the first and only page.
    ;({ data } = await github.rest.repos.compareCommitsWithBasehead({
      owner: event.owner,
      repo: event.repo,
      basehead
    }))
  } catch (error) {
    throw new Error(explainGitHubError(error, `Comparing ${basehead}`, 'contents: read'))
  }
  const mergeBase = data.merge_base_commit.sha
  if (data.status === 'diverged') {
    log(
      `${short(base)} is not an ancestor of ${short(head)} (a force push): comparing from their merge base ${short(mergeBase)}`
    )
  } else if (data.status === 'behind') {
    log(`${short(head)} is behind ${short(base)}: the push added no commits, so nothing changed`)
  }
  const files = (data.files ?? []).map(toChangedFile)
  const source = `the ${files.length} files changed between ${short(base)} and ${short(head)}`
  if (files.length < COMPARE_FILES_LISTED) return { kind: 'files', files, source }
  const cap = `GitHub lists at most ${COMPARE_FILES_LISTED} files of a comparison, and ${basehead} reached that`
  return completeLocally(context, { base: mergeBase, head }, { files, source, cap })
}

/** The local diff when GitHub's list hit its cap; else what GitHub listed, with a warning. */
async function completeLocally(
  context: Context,
  range: { base: string; head: string },
  listed: { files: ChangedFile[]; source: string; cap: string }
): Promise<Changes> {
  const local = await localChanges(context.workspace, range.base, range.head)
  const between = `${short(range.base)}...${short(range.head)}`
  if (local) {
    context.log(`${listed.cap}: comparing ${between} in the local git history instead`)
    const source = `the ${local.length} files changed between ${between} (local git history)`
    return { kind: 'files', files: local, source }
  }
  context.warn(
    `${listed.cap}, and the local git history lacks ${between}: scripts among the files not listed are not generated. Check out with \`fetch-depth: 0\` so the action can compare the commits itself.`
  )
  return { kind: 'files', files: listed.files, source: listed.source }
}

function toChangedFile(file: {
  filename: string
  status: string
  previous_filename?: string
  changes: number
}): ChangedFile {
  return {
    path: file.filename,
    status: file.status,
    previousPath: file.previous_filename,
    changes: file.changes
  }
}

function short(ref: string): string {
  return /^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 7) : ref
}
