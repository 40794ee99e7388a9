// Which runs publish to the release: a tag, or a branch the workflow author trusts, never a merge
// group or a pull request.
import { describe, expect, it } from '@jest/globals'
import { decideRelease } from '../../src/publish/release-gate.js'
import type { EventInfo } from '../../src/github/event.js'

function event(name: string, ref: string, defaultBranch: string | null = 'main'): EventInfo {
  return {
    name,
    owner: 'o',
    repo: 'r',
    sha: 'a'.repeat(40),
    serverUrl: 'https://github.com',
    runUrl: null,
    pullRequest: null,
    push: null,
    mergeGroup: null,
    actor: null,
    workflowRun: null,
    ref,
    defaultBranch,
    dispatchScripts: null
  }
}

describe('decideRelease', () => {
  it('publishes from the default branch and from tags, on pushes and manual runs', () => {
    for (const name of ['push', 'workflow_dispatch']) {
      expect(decideRelease(event(name, 'refs/heads/main'), [])).toEqual({ publish: true })
      expect(decideRelease(event(name, 'refs/tags/v1.2.0'), [])).toEqual({ publish: true })
      expect(decideRelease(event(name, 'refs/heads/feature'), [])).toMatchObject({
        publish: false,
        notice: true,
        why: expect.stringContaining('not published from the branch feature')
      })
    }
  })

  it('publishes on a schedule, which GitHub runs on the default branch without naming it', () => {
    expect(decideRelease(event('schedule', 'refs/heads/main', null), [])).toEqual({ publish: true })
  })

  it('refuses a push when the payload does not name the default branch', () => {
    expect(decideRelease(event('push', 'refs/heads/main', null), [])).toMatchObject({
      publish: false,
      why: expect.stringContaining("the repository's default branch (the event does not name it)")
    })
  })

  it('takes the branches release-branches lists instead, as GitHub branch filters', () => {
    const branches = ['release/*', '!release/old']
    expect(decideRelease(event('push', 'refs/heads/release/2.x'), branches).publish).toBe(true)
    expect(decideRelease(event('push', 'refs/heads/release/old'), branches).publish).toBe(false)
    expect(decideRelease(event('push', 'refs/heads/release/2.x/hotfix'), branches).publish).toBe(
      false
    )
    expect(decideRelease(event('push', 'refs/heads/main'), branches).publish).toBe(false)
    expect(decideRelease(event('push', 'refs/tags/v2'), branches).publish).toBe(true)
  })

  it('never publishes from a merge group, and quietly not from a pull request', () => {
    expect(decideRelease(event('merge_group', 'refs/heads/main'), [])).toMatchObject({
      publish: false,
      notice: true
    })
    expect(decideRelease(event('pull_request', 'refs/pull/1/merge'), [])).toMatchObject({
      publish: false,
      notice: false
    })
  })
})
