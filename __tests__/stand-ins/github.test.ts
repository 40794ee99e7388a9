// The GitHub stand-in, driven over HTTP by the same Octokit the action uses: it must answer like
// GitHub and flag every request GitHub's REST description would refuse.

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { throttling } from '@octokit/plugin-throttling'
import { startGitHub, type GitHubStandIn } from '../../stand-ins/github.js'
import { failure } from './octokit.js'

const repo = { owner: 'Codertocat', repo: 'Hello-World' }
// The action's client also throttles writes to one a second; these tests only want its paging.
const Client = Octokit.plugin(paginateRest)

let gh: GitHubStandIn
let octokit: InstanceType<typeof Client>

beforeEach(async () => {
  gh = await startGitHub()
  octokit = client('ghs_standin')
})

afterEach(async () => {
  await gh.close()
})

function client(token: string) {
  return new Client({ auth: token, baseUrl: gh.url })
}

function files(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    filename: `videos/scene-${String(i).padStart(4, '0')}.md`,
    status: 'modified'
  }))
}

describe('pull request files', () => {
  it('lists 250 changed files over three pages, following the Link headers GitHub sends', async () => {
    gh.addPullRequest(7, { files: files(250) })

    const listed = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      ...repo,
      pull_number: 7,
      per_page: 100
    })

    expect(listed.map(file => file.filename)).toEqual(files(250).map(file => file.filename))
    expect(gh.requests.map(r => [r.path, r.query.page, r.status])).toEqual([
      ['/repos/Codertocat/Hello-World/pulls/7/files', undefined, 200],
      ['/repositories/186853002/pulls/7/files', '2', 200],
      ['/repositories/186853002/pulls/7/files', '3', 200]
    ])
    expect(gh.violations).toEqual([])
  })

  it('links the pages as GitHub does: prev, next, last, first, by repository id', async () => {
    gh.addPullRequest(7, { files: files(250) })
    const page = (n: number) =>
      octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
        ...repo,
        pull_number: 7,
        per_page: 100,
        page: n
      })
    const at = (n: number) =>
      `<${gh.url}/repositories/186853002/pulls/7/files?per_page=100&page=${n}>`

    expect((await page(1)).headers.link).toBe(`${at(2)}; rel="next", ${at(3)}; rel="last"`)
    expect((await page(2)).headers.link).toBe(
      `${at(1)}; rel="prev", ${at(3)}; rel="next", ${at(3)}; rel="last", ${at(1)}; rel="first"`
    )
    const last = await page(3)
    expect(last.headers.link).toBe(`${at(2)}; rel="prev", ${at(1)}; rel="first"`)
    expect(last.data).toHaveLength(50)
  })

  it('gives 30 files a page by default and at most 100 whatever per_page asks', async () => {
    gh.addPullRequest(7, { files: files(250) })
    const list = (query: { per_page?: number }) =>
      octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
        ...repo,
        pull_number: 7,
        ...query
      })

    expect((await list({})).data).toHaveLength(30)
    expect((await list({ per_page: 500 })).data).toHaveLength(100)
  })

  it('stops listing at 3000 files while the pull request counts them all', async () => {
    gh.addPullRequest(7, { files: files(3100) })

    const listed = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      ...repo,
      pull_number: 7,
      per_page: 100
    })
    const { data: pull } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...repo,
      pull_number: 7
    })

    expect(listed).toHaveLength(3000)
    expect(pull.changed_files).toBe(3100)
  })

  it('fills in the file fields GitHub returns, patch and rename included', async () => {
    gh.addPullRequest(7, {
      head: { sha: 'a'.repeat(40), ref: 'feature' },
      files: [
        { filename: 'videos/intro one.md', status: 'added', additions: 4 },
        { filename: 'videos/b.md', status: 'renamed', previous_filename: 'videos/a.md' }
      ]
    })

    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      ...repo,
      pull_number: 7
    })

    expect(data[0]).toMatchObject({
      filename: 'videos/intro one.md',
      additions: 4,
      deletions: 0,
      changes: 4,
      blob_url: `https://github.com/Codertocat/Hello-World/blob/${'a'.repeat(40)}/videos/intro%20one.md`,
      patch: expect.stringMatching(/^@@ -0,0 \+1,4 @@\n\+/)
    })
    expect(data[1]).toMatchObject({
      status: 'renamed',
      previous_filename: 'videos/a.md',
      changes: 0
    })
    expect(data[1]).not.toHaveProperty('patch')
    expect(gh.violations).toEqual([])
  })
})

describe('pull requests', () => {
  it('serves a pull request with the seeded commits, author and merge state', async () => {
    gh.addPullRequest(9, {
      head: { sha: 'b'.repeat(40), ref: 'videos' },
      base: { sha: 'c'.repeat(40), ref: 'main' },
      user: { login: 'mona', id: 9919 },
      author_association: 'COLLABORATOR',
      merged: true,
      merge_commit_sha: 'd'.repeat(40)
    })

    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...repo,
      pull_number: 9
    })

    expect(data).toMatchObject({
      number: 9,
      state: 'closed',
      merged: true,
      merge_commit_sha: 'd'.repeat(40),
      author_association: 'COLLABORATOR',
      user: { login: 'mona', id: 9919, type: 'User' },
      head: { sha: 'b'.repeat(40), ref: 'videos', label: 'Codertocat:videos' },
      base: { sha: 'c'.repeat(40), ref: 'main' },
      url: `${gh.url}/repos/Codertocat/Hello-World/pulls/9`,
      html_url: 'https://github.com/Codertocat/Hello-World/pull/9'
    })
    expect(gh.violations).toEqual([])
  })

  it('puts a fork pull request head in the contributor fork', async () => {
    gh.addPullRequest(3, { fork: true })

    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...repo,
      pull_number: 3
    })

    expect(data.head.repo).toMatchObject({ full_name: 'octocat/Hello-World', fork: true })
    expect(data.base.repo).toMatchObject({ full_name: 'Codertocat/Hello-World', fork: false })
    expect(data.author_association).toBe('CONTRIBUTOR')
  })

  it('finds the pull requests of a commit, seeded or by head sha', async () => {
    gh.addPullRequest(4, { head: { sha: 'e'.repeat(40) } })
    gh.addPullRequest(5)
    gh.setCommitPulls('f'.repeat(40), [5, 4])
    const pullsOf = async (sha: string) =>
      (
        await octokit.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
          ...repo,
          commit_sha: sha
        })
      ).data.map(pull => pull.number)

    expect(await pullsOf('f'.repeat(40))).toEqual([5, 4])
    expect(await pullsOf('e'.repeat(40))).toEqual([4])
    expect(await pullsOf('0'.repeat(40))).toEqual([])
    expect(gh.violations).toEqual([])
  })
})

describe('comparisons', () => {
  it('compares two commits with their files and commits', async () => {
    const head = '1'.repeat(40)
    gh.setCompare('main', head, {
      files: [{ filename: 'videos/a.md', status: 'added' }],
      commits: [{ message: 'Add a video' }, { message: 'Fix its voice' }]
    })

    const { data } = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      ...repo,
      basehead: `main...${head}`
    })

    expect(data.files?.map(file => file.filename)).toEqual(['videos/a.md'])
    expect(data.commits.map(commit => commit.commit.message)).toEqual([
      'Add a video',
      'Fix its voice'
    ])
    expect(data.commits.at(-1)?.sha).toBe(head)
    expect(data).toMatchObject({ status: 'ahead', ahead_by: 2, total_commits: 2 })
    expect(gh.violations).toEqual([])
  })

  it('answers diverged after a force push, with the files since the merge base', async () => {
    const [before, after, mergeBase] = ['b'.repeat(40), 'a'.repeat(40), 'c'.repeat(40)]
    gh.setCompare(before, after, {
      mergeBase,
      files: [{ filename: 'videos/a.md', status: 'modified' }]
    })

    const { data } = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      ...repo,
      basehead: `${before}...${after}`
    })

    expect(data).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1 })
    expect(data.base_commit.sha).toBe(before)
    expect(data.merge_base_commit.sha).toBe(mergeBase)
    expect(data.commits[0]?.parents[0]?.sha).toBe(mergeBase)
    expect(data.files?.map(file => file.filename)).toEqual(['videos/a.md'])
    expect(gh.violations).toEqual([])
  })

  it('shows the files on the first page only when the commits are paged', async () => {
    gh.setCompare('main', 'topic', {
      files: [{ filename: 'videos/a.md', status: 'modified' }],
      commits: [{}, {}, {}]
    })
    const page = (n: number) =>
      octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
        ...repo,
        basehead: 'main...topic',
        per_page: 2,
        page: n
      })

    const [first, second] = [await page(1), await page(2)]

    expect(first.data.files).toHaveLength(1)
    expect(first.data.commits).toHaveLength(2)
    expect(first.headers.link).toContain('rel="next"')
    expect(second.data.files).toBeUndefined()
    expect(second.data.commits).toHaveLength(1)
  })

  it('answers 404 for a comparison nobody seeded', async () => {
    const { status } = await failure(
      octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
        ...repo,
        basehead: 'main...nowhere'
      })
    )

    expect(status).toBe(404)
  })
})

describe('issue comments', () => {
  it('creates, lists, updates and deletes a comment as the workflow bot', async () => {
    gh.addPullRequest(7)
    const earlier = gh.addComment(7, { body: 'from a person', user: { login: 'mona', id: 9919 } })

    const created = await octokit.request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: 7, body: 'first run' }
    )
    expect(created.status).toBe(201)
    expect(created.headers.location).toBe(created.data.url)
    expect(created.data).toMatchObject({
      body: 'first run',
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      html_url: `https://github.com/Codertocat/Hello-World/pull/7#issuecomment-${created.data.id}`
    })

    const listed = await octokit.paginate(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: 7 }
    )
    expect(listed.map(comment => comment.id)).toEqual([earlier.id, created.data.id])

    const comment = { ...repo, comment_id: created.data.id }
    const updated = await octokit.request(
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
      { ...comment, body: 'second run' }
    )
    expect(updated.data).toMatchObject({ id: created.data.id, body: 'second run' })
    expect(gh.comments(7).map(c => c.body)).toEqual(['from a person', 'second run'])

    const deleted = await octokit.request(
      'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}',
      comment
    )
    expect(deleted.status).toBe(204)
    expect(gh.comments(7).map(c => c.body)).toEqual(['from a person'])
    const gone = await failure(
      octokit.request('GET /repos/{owner}/{repo}/issues/comments/{comment_id}', comment)
    )
    expect(gone.status).toBe(404)
    expect(gh.violations).toEqual([])
  })

  it('stops listing a comment that a person deleted', async () => {
    gh.addPullRequest(7)
    const sticky = gh.addComment(7, { body: '<!-- avatar-video -->' })
    gh.addComment(7, { body: 'thanks!', user: { login: 'mona', id: 9919 } })

    gh.deleteComment(sticky.id)
    const { data } = await octokit.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: 7 }
    )

    expect(data.map(comment => comment.body)).toEqual(['thanks!'])
  })

  it('lists many comments 30 a page, oldest first', async () => {
    gh.addPullRequest(7)
    const bodies = Array.from({ length: 35 }, (_, i) => `comment ${i}`)
    for (const body of bodies) gh.addComment(7, { body })

    const listed = await octokit.paginate(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: 7 }
    )

    expect(listed.map(comment => comment.body)).toEqual(bodies)
    expect(gh.requests).toHaveLength(2)
  })

  it('refuses a comment over 65536 characters with GitHub validation error', async () => {
    gh.addPullRequest(7)
    const post = (body: string) =>
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repo,
        issue_number: 7,
        body
      })

    // GitHub counts characters: an emoji is one, though two UTF-16 units.
    expect((await post('😀'.repeat(65536))).status).toBe(201)
    const refused = await failure(post('x'.repeat(65537)))

    expect(refused.status).toBe(422)
    expect(refused.body).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)'
        }
      ],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422'
    })
    expect(gh.comments(7)).toHaveLength(1)
  })

  it('lets a read-only token read comments but not write them, as on a fork pull request', async () => {
    await gh.close()
    gh = await startGitHub({ readOnly: true })
    octokit = client('ghs_standin')
    gh.addPullRequest(7)
    const seeded = gh.addComment(7, { body: 'old' })

    const listed = await octokit.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: 7 }
    )
    const refused = await failure(
      octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        ...repo,
        comment_id: seeded.id,
        body: 'new'
      })
    )

    expect(listed.data).toHaveLength(1)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({
      message: 'Resource not accessible by integration',
      status: '403'
    })
    expect(gh.comments(7)[0]?.body).toBe('old')
  })
})

describe('errors and headers', () => {
  it('answers a wrong token with 401 Bad credentials', async () => {
    const refused = await failure(
      client('ghp_wrong').request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
        ...repo,
        pull_number: 1
      })
    )

    expect(refused.status).toBe(401)
    expect(refused.body).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401'
    })
  })

  it('answers an unknown repository or pull request with 404 Not Found', async () => {
    gh.addPullRequest(7)
    const get = (owner: string, pull_number: number) =>
      failure(
        octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
          owner,
          repo: 'Hello-World',
          pull_number
        })
      )

    for (const refused of [await get('someone-else', 7), await get('Codertocat', 8)]) {
      expect(refused.status).toBe(404)
      expect(refused.body).toEqual({
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
        status: '404'
      })
    }
  })

  it('tells the installation token apart from a personal token on GET /user', async () => {
    const installation = await failure(octokit.request('GET /user'))
    await gh.close()
    gh = await startGitHub({ token: 'ghp_personal', identity: { login: 'mona', id: 9919 } })
    const personal = await client('ghp_personal').request('GET /user')

    expect(installation.status).toBe(403)
    expect(installation.body).toMatchObject({ message: 'Resource not accessible by integration' })
    expect(personal.data).toMatchObject({ login: 'mona', id: 9919, type: 'User' })
    expect(gh.violations).toEqual([])
  })

  it("names the token's bot to GraphQL's viewer, and flags any other query", async () => {
    const viewer = await octokit.request('POST /graphql', { query: 'query { viewer { login } }' })
    expect(viewer.data).toEqual({ data: { viewer: { login: 'github-actions[bot]' } } })
    expect(gh.violations).toEqual([])

    await failure(octokit.request('POST /graphql', { query: '{ repository { id } }' }))
    expect(gh.violations).toEqual([
      'POST /graphql: the stand-in answers only { viewer { login } }, not { repository { id } }'
    ])
  })

  it("sends GitHub's headers and counts the rate limit down", async () => {
    gh.addPullRequest(7)
    const get = () =>
      octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...repo, pull_number: 7 })

    const [first, second] = [await get(), await get()]

    expect(first.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(first.headers['x-github-request-id']).toMatch(/^[0-9A-F]+(:[0-9A-F]+){4}$/)
    expect(first.headers['x-github-api-version-selected']).toBe('2022-11-28')
    expect(first.headers['x-ratelimit-resource']).toBe('core')
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000)
    expect([first, second].map(r => r.headers['x-ratelimit-remaining'])).toEqual(['4999', '4998'])
    expect(second.headers['x-ratelimit-used']).toBe('2')
  })

  it('injects a secondary rate limit that Octokit waits out and retries', async () => {
    gh.addPullRequest(7)
    gh.inject({
      method: 'GET',
      path: '/repos/{owner}/{repo}/pulls/{pull_number}',
      status: 403,
      headers: { 'retry-after': '1' }
    })
    const retried: number[] = []
    const patient = new (Octokit.plugin(throttling))({
      auth: 'ghs_standin',
      baseUrl: gh.url,
      throttle: {
        onRateLimit: () => false,
        onSecondaryRateLimit: (after: number) => retried.push(after) === 1
      }
    })

    const { data } = await patient.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...repo,
      pull_number: 7
    })

    expect(data.number).toBe(7)
    expect(retried).toEqual([1])
    expect(gh.requests.map(r => r.status)).toEqual([403, 200])
  })
})

describe('checking requests against GitHub description', () => {
  it('flags a misspelled query parameter that GitHub would silently ignore', async () => {
    gh.addPullRequest(7, { files: files(40) })

    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      ...repo,
      pull_number: 7,
      perpage: 100
    })

    expect(data).toHaveLength(30)
    expect(gh.violations).toEqual([
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/files query: (root) must NOT have additional properties 'perpage'"
    ])
  })

  it('flags an ill-typed body and answers it with 422 as GitHub does', async () => {
    gh.addPullRequest(7)

    const refused = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repo,
        issue_number: 7,
        body: 42
      } as never)
    )

    expect(refused.status).toBe(422)
    expect(gh.violations).toEqual([
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments body: /body must be string'
    ])
    expect(gh.comments(7)).toEqual([])
  })

  it('flags a path GitHub does not have, and one the stand-in does not serve', async () => {
    await failure(octokit.request('GET /repos/{owner}/{repo}/videos', repo))
    await failure(octokit.request('GET /repos/{owner}/{repo}/labels', repo))

    expect(gh.violations).toEqual([
      "GET /repos/Codertocat/Hello-World/videos: not a path of GitHub's REST API",
      'GET /repos/{owner}/{repo}/labels: GitHub has it, but the stand-in does not implement it'
    ])
  })

  it("checks the stand-in's own answers against the response schema too", async () => {
    gh.addPullRequest(7, { files: [{ filename: 'videos/a.md', status: 'moved' }] })

    await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      ...repo,
      pull_number: 7
    })

    expect(gh.violations).toEqual([
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/files → 200 response: /0/status must be equal to one of the allowed values'
    ])
  })
})
