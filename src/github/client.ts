// The GitHub REST client: Octokit from @actions/github with GitHub's recommended retry and
// rate-limit policy (plugin-retry, plugin-throttling) as one reusable piece.
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

export type GitHubClient = ReturnType<typeof getOctokit>

interface LimitInfo {
  method: string
  url: string
}

export function createGitHubClient(token: string, warn: (message: string) => void): GitHubClient {
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: LimitInfo, _octokit: unknown, retryCount: number): boolean => {
      warn(`GitHub ${kind} on ${request.method} ${request.url}: retrying in ${retryAfter} s`)
      return retryCount < 2
    }
  const options = {
    // Read when the client is made, not when @actions/github was loaded.
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    throttle: {
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit')
    }
  } as Parameters<typeof getOctokit>[1]
  return getOctokit(token, options, retry, throttling)
}

/**
 * What a GitHub API failure means for the user, naming the permission that is missing. GitHub
 * answers 404 rather than 403 where telling would reveal that a private resource exists.
 */
export function explainGitHubError(error: unknown, action: string, permission: string): string {
  const status = (error as { status?: number }).status
  const message = (error as Error).message
  if (status === 401) return `${action}: the github-token was refused (${message})`
  if (status === 403 || status === 404) {
    return `${action}: HTTP ${status} (${message}). The token needs \`${permission}\`: grant it in the workflow's \`permissions:\` block (a pull request from a fork always gets a read-only token)`
  }
  return `${action}: ${message}`
}
