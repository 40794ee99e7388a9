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

/** Who writes the comments: a user (a personal access token) or a bot (an installation token). */
export interface Identity {
  login: string
  bot: boolean
}

/** What an installation token is taken for when GitHub will not say. */
const ACTIONS_BOT: Identity = { login: 'github-actions[bot]', bot: true }

/**
 * Who comments written with this token are attributed to. A personal access token's `GET /user`
 * names its user. An installation token (the workflow's `GITHUB_TOKEN`, a GitHub App's) acts for
 * no user and gets 403 there, but GraphQL's `viewer` names its bot (`<app>[bot]`), as
 * sticky-pull-request-comment relies on. Failing both, the default token's bot is assumed.
 */
export async function tokenIdentity(github: GitHubClient): Promise<Identity> {
  try {
    const { data } = await github.rest.users.getAuthenticated()
    return { login: data.login, bot: data.type === 'Bot' }
  } catch {
    try {
      const { viewer } = await github.graphql<{ viewer: { login: string } }>(
        'query { viewer { login } }'
      )
      return { login: viewer.login, bot: true }
    } catch {
      return ACTIONS_BOT
    }
  }
}

/**
 * Whether `user` is `identity`. REST spells a bot `name[bot]` and GraphQL may drop the suffix, so
 * names are compared without it; the kind of account must match too, so a person who picked an
 * app's name is never taken for its bot.
 */
function isIdentity(
  user: { login: string; type?: string } | null | undefined,
  identity: Identity
): boolean {
  const name = (login: string) => login.replace(/\[bot\]$/, '')
  return (
    !!user && name(user.login) === name(identity.login) && (user.type === 'Bot') === identity.bot
  )
}

/**
 * How often the live comment may be edited: every 5 s at most, which keeps well inside GitHub's
 * limits on content creation, or sooner when the queue is polled faster (never under 1 s).
 */
export function liveEditInterval(pollIntervalSeconds: number): number {
  return Math.min(5000, Math.max(pollIntervalSeconds * 1000, 1000))
}

/**
 * The comment whose first line is `marker`, written by `identity`. The marker counts only there,
 * where the action writes it: a path or title holding another key's marker further down cannot
 * make this comment pass for that key's. Anyone can paste a marker into their own comment: such
 * a comment is never edited and its hidden state never read.
 */
export async function findComment(
  github: GitHubClient,
  target: CommentTarget,
  marker: string,
  identity: Identity
): Promise<Found | null> {
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100
  })
  const own = comments.find(c => firstLine(c.body) === marker && isIdentity(c.user, identity))
  return own ? { id: own.id, body: own.body ?? '', url: own.html_url } : null
}

function firstLine(body: string | null | undefined): string {
  return (body ?? '').split(/\r?\n/, 1)[0] ?? ''
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
