// Who may spend the key: the decision made before anything is submitted.
import { describe, expect, it } from '@jest/globals'
import { readSettings } from '../src/settings.js'
import { decideSpending } from '../src/spending.js'
import { readEvent, type EventInfo, type PullRequestInfo } from '../src/github/event.js'
import {
  issueCommentEvent,
  pullRequestEvent,
  webhookExample,
  workflowRunEvent
} from '../stand-ins/events.js'

const settings = (inputs: Record<string, string> = {}) =>
  readSettings(name => ({ 'api-key': 'k', ...inputs })[name] ?? '', { mask: () => {} })

function event(name: string, pullRequest: Partial<PullRequestInfo> | null = null): EventInfo {
  return {
    name,
    owner: 'o',
    repo: 'r',
    sha: 'a'.repeat(40),
    serverUrl: 'https://github.com',
    runUrl: null,
    push: null,
    mergeGroup: null,
    actor: null,
    workflowRun: null,
    ref: 'refs/heads/main',
    defaultBranch: 'main',
    dispatchScripts: null,
    pullRequest: pullRequest && {
      number: 1,
      headSha: 'a'.repeat(40),
      baseSha: 'b'.repeat(40),
      authorAssociation: 'MEMBER',
      author: 'octocat',
      fromFork: false,
      changedFiles: 1,
      ...pullRequest
    }
  }
}

/** What the action reads of a real webhook payload GitHub delivered for `name`. */
function received(name: string, payload: Record<string, unknown>): EventInfo {
  return readEvent({
    eventName: name,
    payload,
    repo: { owner: 'Codertocat', repo: 'Hello-World' },
    sha: 'c'.repeat(40),
    serverUrl: 'https://github.com',
    runId: 1,
    ref: 'refs/heads/main'
  })
}

describe('who may spend the key', () => {
  it('lets a member generate videos on a pull request', () => {
    expect(decideSpending(settings(), event('pull_request', {}))).toEqual({ dryRun: false })
  })

  it('gives an outside author a dry run that says why and how to approve', () => {
    const spending = decideSpending(
      settings(),
      event('pull_request_target', { authorAssociation: 'FIRST_TIME_CONTRIBUTOR' })
    )
    expect(spending.dryRun).toBe(true)
    expect(spending.notice).toMatch(
      /^The pull request author's association with the repository \(FIRST_TIME_CONTRIBUTOR\) is not in allowed-associations/
    )
    expect(spending.notice).toMatch(/A maintainer can approve it/)
  })

  it('follows allowed-associations as the workflow sets it', () => {
    const widened = settings({ 'allowed-associations': 'owner, contributor' })
    const spending = decideSpending(
      widened,
      event('pull_request', { authorAssociation: 'CONTRIBUTOR' })
    )
    expect(spending).toEqual({ dryRun: false })
  })

  it('turns a fork without secrets into a dry run instead of a failure', () => {
    const spending = decideSpending(
      settings({ 'api-key': '' }),
      event('pull_request', { fromFork: true, authorAssociation: 'NONE' })
    )
    expect(spending.dryRun).toBe(true)
    expect(spending.notice).toMatch(/^Pull requests from forks get no secrets/)
  })

  it('refuses to run without a key where one is needed, saying how to pass it', () => {
    expect(() => decideSpending(settings({ 'api-key': '' }), event('push'))).toThrow(
      /^api-key is required to generate videos: pass it from a secret/
    )
  })

  it('needs no key for a dry run', () => {
    const spending = decideSpending(settings({ 'api-key': '', 'dry-run': 'true' }), event('push'))
    expect(spending.dryRun).toBe(true)
  })

  it('always spends on events only writers can cause', () => {
    for (const name of ['push', 'workflow_dispatch', 'schedule', 'merge_group']) {
      expect(decideSpending(settings(), event(name))).toEqual({ dryRun: false })
    }
  })

  it('always spends on a workflow_run after a push or a pull request of this repository', () => {
    for (const run of ['push', 'pull_request', 'workflow_dispatch', 'schedule']) {
      const event = received('workflow_run', workflowRunEvent({ event: run }))
      expect(decideSpending(settings(), event)).toEqual({ dryRun: false })
    }
  })
})

describe('events an outsider can cause', () => {
  it("lets a member's comment spend", () => {
    const member = issueCommentEvent({ authorAssociation: 'MEMBER' })
    expect(decideSpending(settings(), received('issue_comment', member))).toEqual({ dryRun: false })
  })

  it("decides by the commenter's association, not the issue's author's", () => {
    // The example's issue is its owner's: the comment is what started the run.
    const payload = issueCommentEvent({ authorAssociation: 'NONE' })
    expect(payload.issue.author_association).toBe('OWNER')

    const spending = decideSpending(settings(), received('issue_comment', payload))

    expect(spending.dryRun).toBe(true)
    expect(spending.notice).toMatch(
      /^The commenter's association with the repository \(NONE\) is not in allowed-associations \(OWNER, MEMBER, COLLABORATOR\), so the scripts were checked and no videos were generated\. A maintainer can approve it by causing the event themselves/
    )
  })

  it('needs both the reviewer and the pull request author allowed on a review', () => {
    const review = (reviewer: string, author: string) => {
      const payload = webhookExample('pull_request_review', 'submitted')
      payload.review.author_association = reviewer
      payload.pull_request.author_association = author
      return decideSpending(settings(), received('pull_request_review', payload))
    }

    expect(review('MEMBER', 'OWNER')).toEqual({ dryRun: false })
    expect(review('NONE', 'OWNER').notice).toMatch(/^The reviewer's association .* \(NONE\)/)
    expect(review('MEMBER', 'FIRST_TIMER').notice).toMatch(
      /^The pull request author's association .* \(FIRST_TIMER\)/
    )
  })

  it("decides a review comment by its author's association", () => {
    const payload = webhookExample('pull_request_review_comment', 'created')
    payload.comment.author_association = 'CONTRIBUTOR'

    const spending = decideSpending(settings(), received('pull_request_review_comment', payload))

    expect(spending.notice).toMatch(/^The commenter's association .* \(CONTRIBUTOR\)/)
  })

  it("decides discussions and issues by their author's association", () => {
    const cases = [
      ['discussion', 'created', 'discussion', "discussion author's"],
      ['discussion_comment', 'created', 'comment', "commenter's"],
      ['issues', 'opened', 'issue', "issue author's"]
    ] as const
    for (const [name, action, key, whose] of cases) {
      const payload = webhookExample(name, action)
      payload[key].author_association = 'NONE'
      const spending = decideSpending(settings(), received(name, payload))
      expect(spending.notice).toMatch(new RegExp(`^The ${whose} association .* \\(NONE\\)`))

      payload[key].author_association = 'COLLABORATOR'
      expect(decideSpending(settings(), received(name, payload))).toEqual({ dryRun: false })
    }
  })

  it("gives a workflow_run after a fork's pull request a dry run that says how to approve", () => {
    const spending = decideSpending(
      settings(),
      received('workflow_run', workflowRunEvent({ fork: true }))
    )

    expect(spending.dryRun).toBe(true)
    expect(spending.notice).toMatch(
      /^This workflow_run follows a run for another repository's commit \(a fork's pull request\).* it counts as NONE, which is not in allowed-associations/
    )
    expect(spending.notice).toMatch(/running the workflow manually \(workflow_dispatch\)/)
  })

  it('gives a workflow_run after an event anyone can cause a dry run, even in this repository', () => {
    for (const run of ['issue_comment', 'pull_request_target', 'workflow_run']) {
      const spending = decideSpending(
        settings(),
        received('workflow_run', workflowRunEvent({ event: run }))
      )
      expect(spending.notice).toMatch(new RegExp(`^This workflow_run follows a ${run} run`))
    }
  })

  it('gives an event the action does not know a dry run', () => {
    const spending = decideSpending(
      settings(),
      received('watch', webhookExample('watch', 'started'))
    )

    expect(spending.dryRun).toBe(true)
    expect(spending.notice).toMatch(
      /^The action does not know who can cause a watch event; it counts as NONE, which is not in allowed-associations/
    )
  })

  it('lets anyone spend where the workflow lists NONE', () => {
    const everyone = settings({ 'allowed-associations': 'OWNER,MEMBER,COLLABORATOR,NONE' })
    const events = [
      received('watch', webhookExample('watch', 'started')),
      received('workflow_run', workflowRunEvent({ fork: true })),
      received('issue_comment', issueCommentEvent({ authorAssociation: 'NONE' }))
    ]
    for (const event of events) expect(decideSpending(everyone, event)).toEqual({ dryRun: false })
  })

  it('turns a review of a fork pull request without secrets into a dry run', () => {
    const payload = webhookExample('pull_request_review', 'submitted')
    payload.pull_request = pullRequestEvent({ fork: true }).pull_request

    const spending = decideSpending(
      settings({ 'api-key': '' }),
      received('pull_request_review', payload)
    )

    expect(spending.notice).toMatch(/^Pull requests from forks get no secrets/)
  })
})
