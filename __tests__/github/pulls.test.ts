// After a merge, the push finds the pull request it came from, so the summary can link the
// comment the reviewers saw; through the action's own client, against the GitHub stand-in.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startGitHub, type GitHubStandIn } from '../../stand-ins/github.js'
import { pushEvent } from '../../stand-ins/events.js'
import { createGitHubClient } from '../../src/github/client.js'
import { readPush, type EventInfo } from '../../src/github/event.js'
import { findMergedPullRequests } from '../../src/github/pulls.js'

const MERGE = 'd'.repeat(40)
const BEFORE = 'b'.repeat(40)

let gh: GitHubStandIn
let warnings: string[]

beforeEach(async () => {
  gh = await startGitHub()
  warnings = []
})
afterEach(async () => gh.close())

/** The client finds the API where a runner says it is. */
function load() {
  process.env.GITHUB_API_URL = gh.url
  const github = createGitHubClient('ghs_standin', { warn: m => warnings.push(m) })
  return (event: EventInfo) => findMergedPullRequests(github, event, m => warnings.push(m))
}

function push(after: string, ref = 'refs/heads/master'): EventInfo {
  const payload = pushEvent({ before: BEFORE, after, ref })
  return {
    name: 'push',
    owner: 'Codertocat',
    repo: 'Hello-World',
    sha: after,
    serverUrl: 'https://github.com',
    runUrl: null,
    pullRequest: null,
    push: readPush(payload),
    mergeGroup: null,
    actor: null,
    workflowRun: null,
    ref,
    defaultBranch: 'master',
    dispatchScripts: null
  }
}

describe('findMergedPullRequests', () => {
  it('finds the pull request a push to the default branch merged', async () => {
    gh.addPullRequest(7, { merged: true, merge_commit_sha: MERGE, title: 'New intro video' })
    gh.addPullRequest(8, { title: 'Still open' })
    gh.setCommitPulls(MERGE, [8, 7])
    const find = load()

    expect(await find(push(MERGE))).toEqual([
      {
        number: 7,
        title: 'New intro video',
        url: 'https://github.com/Codertocat/Hello-World/pull/7',
        mergeCommitSha: MERGE
      }
    ])
    expect(gh.requests.map(r => r.path)).toEqual([
      `/repos/Codertocat/Hello-World/commits/${MERGE}/pulls`
    ])
    expect(gh.violations).toEqual([])
  })

  it('ignores a pull request merged into another branch, and deleted branches', async () => {
    gh.addPullRequest(7, { merged: true, merge_commit_sha: MERGE })
    gh.setCommitPulls(MERGE, [7])
    const find = load()

    expect(await find(push(MERGE, 'refs/heads/release'))).toEqual([])
    expect(await find(push('0'.repeat(40)))).toEqual([])
    expect(gh.requests).toHaveLength(1)
  })

  it('warns, naming the permission, instead of failing the run', async () => {
    gh.inject({ path: /\/pulls$/, status: 404 })
    const find = load()

    expect(await find(push(MERGE))).toEqual([])
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Finding the pull request merged by ddddddd: HTTP 404 .*The token needs `pull-requests: read`/
      )
    ])
  })
})
