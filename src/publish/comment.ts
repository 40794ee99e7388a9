// The one sticky pull-request comment per `comment-key`: found again by its hidden marker among
// all the PR's comments, trusted only when the token's own identity wrote it, edited in place.
import type { GitHubClient } from '../github/client.js'
import { explainGitHubError } from '../github/client.js'

export interface Found {
  id: number
  body: string
  url: string
}

export interface CommentTarget {
  owner: string
  repo: string
  issueNumber: number
}

/** The default token's identity; its `/user` answers 403, so it cannot be asked. */
const ACTIONS_BOT = 'github-actions[bot]'

/**
 * The login comments written with this token are attributed to. A personal access token's
 * `GET /user` names it. An installation token (the workflow's `GITHUB_TOKEN`, `ghs_…`) acts for
 * no user and gets 403: its comments are by `github-actions[bot]`, which is assumed. A GitHub
 * App's own installation token is refused the same way but writes as `<app>[bot]`: its earlier
 * comment is then not recognised, and a new one is written (never someone else's edited).
 */
export async function tokenIdentity(github: GitHubClient): Promise<string> {
  try {
    const { data } = await github.rest.users.getAuthenticated()
    return data.login
  } catch {
    return ACTIONS_BOT
  }
}

/**
 * How often the live comment may be edited: every 5 s at most, which keeps well inside GitHub's
 * limits on content creation, or sooner when the queue is polled faster (never under 1 s).
 */
export function liveEditInterval(pollIntervalSeconds: number): number {
  return Math.min(5000, Math.max(pollIntervalSeconds * 1000, 1000))
}

/**
 * The comment carrying `marker` written by `identity`. Anyone can paste a marker into their own
 * comment: such a comment is never edited and its hidden state never read.
 */
export async function findComment(
  github: GitHubClient,
  target: CommentTarget,
  marker: string,
  identity: string
): Promise<Found | null> {
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100
  })
  const own = comments.find(c => c.body?.includes(marker) && c.user?.login === identity)
  return own ? { id: own.id, body: own.body ?? '', url: own.html_url } : null
}

/** Writes the comment: edits `existing` in place, or creates it (again, if it was deleted). */
export async function writeComment(
  github: GitHubClient,
  target: CommentTarget,
  existing: Found | null,
  body: string
): Promise<Found> {
  const { owner, repo, issueNumber } = target
  try {
    if (existing) {
      try {
        const { data } = await github.rest.issues.updateComment({
          owner,
          repo,
          comment_id: existing.id,
          body
        })
        return { id: data.id, body, url: data.html_url }
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error
      }
    }
    const { data } = await github.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body
    })
    return { id: data.id, body, url: data.html_url }
  } catch (error) {
    throw new Error(
      explainGitHubError(error, `Writing the pull request comment`, 'pull-requests: write')
    )
  }
}

/**
 * Keeps the comment current while videos render, editing it at most once per `intervalMs`;
 * `finish` always writes the last body.
 */
export class LiveComment {
  private current: Found | null
  private lastWrite = 0
  private pendingBody: (() => string) | null = null
  private writing: Promise<void> = Promise.resolve()
  private timer: ReturnType<typeof setTimeout> | null = null
  private failure: Error | null = null

  constructor(
    private readonly github: GitHubClient,
    private readonly target: CommentTarget,
    existing: Found | null,
    private readonly intervalMs: number,
    private readonly warn: (message: string) => void
  ) {
    this.current = existing
  }

  get url(): string | null {
    return this.current?.url ?? null
  }

  /**
   * Asks for the body to be shown soon; later calls replace earlier ones not yet written. The body
   * is rendered only when the edit is made, so frequent updates cost nothing.
   */
  update(body: () => string): void {
    if (this.failure) return
    this.pendingBody = body
    if (this.timer) return
    const wait = Math.max(0, this.lastWrite + this.intervalMs - Date.now())
    this.timer = setTimeout(() => {
      this.timer = null
      this.writing = this.writing.then(() => this.flush())
    }, wait)
  }

  /** Writes `body` now, after any edit in flight, and stops live updates. */
  async finish(body: string): Promise<Found> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.pendingBody = null
    await this.writing
    this.current = await writeComment(this.github, this.target, this.current, body)
    // Reported only when the final write worked: else its own failure says it all, once.
    if (this.failure) {
      this.warn(`Could not update the comment while rendering: ${this.failure.message}`)
    }
    return this.current
  }

  private async flush(): Promise<void> {
    const render = this.pendingBody
    this.pendingBody = null
    if (render === null) return
    this.lastWrite = Date.now()
    try {
      this.current = await writeComment(this.github, this.target, this.current, render())
    } catch (error) {
      // A live edit is a nicety: stop editing live and let the final write report.
      this.failure = error as Error
    }
  }
}
