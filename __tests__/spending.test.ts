// Who may spend the key: the decision made before anything is submitted.
import { describe, expect, it } from '@jest/globals'
import { readSettings } from '../src/settings.js'
import { decideSpending } from '../src/spending.js'
import type { EventInfo, PullRequestInfo } from '../src/github/event.js'

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
    expect(spending.notice).toMatch(/FIRST_TIME_CONTRIBUTOR\) is not in allowed-associations/)
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
})
