// The pull requests a push merged: where the reviewers saw the videos before they landed, so the
// summary can link their comment and reuse can read what they already paid for.
import type { GitHubClient } from './client.js'
import { explainGitHubError } from './client.js'
import type { EventInfo } from './event.js'

export interface MergedPullRequest {
  number: number
  title: string
  /** The pull request's page, where its sticky comment is. */
  url: string
  mergeCommitSha: string | null
}

/**
 * The merged pull requests the pushed commit belongs to (commits → pulls), into the pushed
 * branch. Empty on other events and on a branch deletion. Never fails the run: a link is a
 * nicety, so an API failure is a warning that names the missing permission.
 */
export async function findMergedPullRequests(
  github: GitHubClient,
  event: EventInfo,
  warn: (message: string) => void
): Promise<MergedPullRequest[]> {
  const push = event.push
  if (!push || push.deleted) return []
  try {
    const pulls = await github.paginate(github.rest.repos.listPullRequestsAssociatedWithCommit, {
      owner: event.owner,
      repo: event.repo,
      commit_sha: push.after,
      per_page: 100
    })
    return pulls
      .filter(pull => pull.merged_at && pull.base.ref === push.branch)
      .map(pull => ({
        number: pull.number,
        title: pull.title,
        url: pull.html_url,
        mergeCommitSha: pull.merge_commit_sha ?? null
      }))
  } catch (error) {
    warn(
      explainGitHubError(
        error,
        `Finding the pull request merged by ${push.after.slice(0, 7)}`,
        'pull-requests: read'
      )
    )
    return []
  }
}
