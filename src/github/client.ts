// The GitHub REST client: Octokit from @actions/github with GitHub's recommended retry and
// rate-limit policy (plugin-retry, plugin-throttling) as one reusable piece, under the same bounds
// as the request queue's calls: a timeout per attempt, a cap on waits and on every answer's size.
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { excerpt } from '../log.js'

export type GitHubClient = ReturnType<typeof getOctokit>

export interface GitHubClientOptions {
  warn: (message: string) => void
  /** Ends every call, and every wait for a rate limit, at once (a cancelled run's last seconds). */
  signal?: AbortSignal
}

interface LimitInfo {
  method: string
  url: string
}

/** Rate-limit waits longer than this are not waited out (the queue's calls have the same cap). */
export const MAX_RATE_LIMIT_WAIT_S = 60
/** Milliseconds before one attempt of a GitHub call is abandoned (and retried). */
const ATTEMPT_TIMEOUT_MS = 30_000
/** The largest answer read: GitHub's largest, a page of 100 comments, is far below. */
export const MAX_GITHUB_ANSWER_BYTES = 8 * 1024 * 1024

export function createGitHubClient(token: string, options: GitHubClientOptions): GitHubClient {
  const { warn, signal } = options
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: LimitInfo, _octokit: unknown, retryCount: number): boolean => {
      const what = `GitHub ${kind} on ${request.method} ${request.url}`
      if (signal?.aborted || retryCount >= 2) return false
      if (retryAfter > MAX_RATE_LIMIT_WAIT_S) {
        warn(`${what}: GitHub asks to wait ${retryAfter} s, longer than the action waits`)
        return false
      }
      warn(`${what}: retrying in ${retryAfter} s`)
      return true
    }
  const settings = {
    // Read when the client is made, not when @actions/github was loaded.
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    request: { fetch: boundedFetch(signal) },
    throttle: {
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit')
    }
  } as Parameters<typeof getOctokit>[1]
  return getOctokit(token, settings, retry, throttling)
}

/**
 * `fetch` with a timeout on each attempt, `signal` ending it early, and the answer read here, at
 * most MAX_GITHUB_ANSWER_BYTES of it: past that, the call fails. (Octokit would take a body it
 * could not read for an empty answer: a comment list read as empty starts a second comment.)
 */
export function boundedFetch(signal?: AbortSignal): typeof fetch {
  return async (input, init = {}) => {
    // An upload (a release asset streamed from disk) takes as long as its size needs: only
    // cancellation ends it. A GET or a small JSON body is bounded by the timeout.
    const streaming = init.body !== undefined && init.body !== null && typeof init.body !== 'string'
    const signals = [
      streaming ? undefined : AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      init.signal,
      signal
    ]
    const response = await fetch(input, {
      ...init,
      signal: AbortSignal.any(signals.filter((s): s is AbortSignal => !!s))
    })
    if (!response.body) return response
    const tooLarge = () =>
      new Error(`GitHub's answer is larger than ${MAX_GITHUB_ANSWER_BYTES} bytes`)
    if (Number(response.headers.get('content-length')) > MAX_GITHUB_ANSWER_BYTES) {
      await response.body.cancel().catch(() => {})
      throw tooLarge()
    }
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of response.body) {
      size += chunk.byteLength
      // Leaving the loop cancels the stream: the rest is never downloaded.
      if (size > MAX_GITHUB_ANSWER_BYTES) throw tooLarge()
      chunks.push(chunk)
    }
    const read = new Response(Buffer.concat(chunks), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers
    })
    Object.defineProperty(read, 'url', { value: response.url })
    return read
  }
}

/**
 * What a GitHub API failure means for the user, naming the permission that is missing. GitHub
 * answers 404 rather than 403 where telling would reveal that a private resource exists, and 403
 * or 429 for a rate limit, which no permission changes.
 */
export function explainGitHubError(error: unknown, action: string, permission: string): string {
  const status = (error as { status?: number }).status
  // GitHub's words (or a proxy's page) quoted as a few hundred characters at most.
  const message = excerpt(String((error as Error).message))
  if (status === 401) return `${action}: the github-token was refused (${message})`
  if ((status === 403 || status === 429) && isRateLimit(error)) {
    return `${action}: GitHub's rate limit refused it (HTTP ${status}: ${message}); a later run can try again`
  }
  if (status === 403 || status === 404) {
    return `${action}: HTTP ${status} (${message}). The token needs \`${permission}\`: grant it in the workflow's \`permissions:\` block (a pull request from a fork always gets a read-only token)`
  }
  return `${action}: ${message}`
}

function isRateLimit(error: unknown): boolean {
  const { message, response } = error as {
    message?: string
    response?: { headers?: Record<string, string | undefined> }
  }
  const headers = response?.headers ?? {}
  return (
    /rate limit/i.test(message ?? '') ||
    headers['x-ratelimit-remaining'] === '0' ||
    headers['retry-after'] !== undefined
  )
}
