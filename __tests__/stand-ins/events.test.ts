// The event helpers: real webhook payloads with only the scenario's fields changed.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import {
  issueCommentEvent,
  mergeGroupEvent,
  pullRequestEvent,
  pushEvent,
  scheduleEvent,
  webhookExample,
  workflowDispatchEvent,
  workflowRunEvent,
  writeEvent
} from '../../stand-ins/events.js'

const HEAD = 'a'.repeat(40)
const BASE = 'b'.repeat(40)

describe('webhookExample', () => {
  it('hands out a fresh copy of the first payload for an event and action', () => {
    const example = webhookExample('pull_request', 'synchronize')
    example.pull_request.title = 'changed by a test'

    expect(webhookExample('pull_request', 'synchronize').pull_request.title).not.toBe(
      'changed by a test'
    )
    expect(example.action).toBe('synchronize')
  })

  it('says which event and action it has no payload for', () => {
    expect(() => webhookExample('pull_request', 'teleported')).toThrow(
      '@octokit/webhooks-examples has no pull_request.teleported payload'
    )
  })
})

describe('pullRequestEvent', () => {
  it('patches number, commits and author association into the real synchronize payload', () => {
    const event = pullRequestEvent({
      number: 42,
      headSha: HEAD,
      baseSha: BASE,
      authorAssociation: 'FIRST_TIME_CONTRIBUTOR'
    })

    expect(event).toMatchObject({
      action: 'synchronize',
      number: 42,
      after: HEAD,
      repository: { full_name: 'Codertocat/Hello-World' },
      pull_request: {
        number: 42,
        author_association: 'FIRST_TIME_CONTRIBUTOR',
        head: { sha: HEAD, repo: { full_name: 'Codertocat/Hello-World', fork: false } },
        base: { sha: BASE, ref: 'master' },
        html_url: 'https://github.com/Codertocat/Hello-World/pull/42',
        statuses_url: `https://api.github.com/repos/Codertocat/Hello-World/statuses/${HEAD}`
      }
    })
    expect(JSON.stringify(event)).not.toContain('ec26c3e57ca3a959ca5aad62de7213c562f8c821')
  })

  it('gives each pull request number its own id', () => {
    const [two, three] = [pullRequestEvent({ number: 2 }), pullRequestEvent({ number: 3 })]

    expect(two.pull_request.id).toBe(webhookExample('pull_request').pull_request.id)
    expect(three.pull_request.id).not.toBe(two.pull_request.id)
    expect(three.pull_request.node_id).not.toBe(two.pull_request.node_id)
  })

  it('keeps the rest of the real payload', () => {
    const real = webhookExample('pull_request', 'synchronize')
    const event = pullRequestEvent({ number: 2 })

    expect(event.installation).toEqual(real.installation)
    expect(Object.keys(event.pull_request)).toEqual(Object.keys(real.pull_request))
  })

  it('moves the head of a fork pull request to the contributor fork', () => {
    const event = pullRequestEvent({ number: 5, action: 'opened', fork: true })

    expect(event.pull_request.head.repo).toMatchObject({
      full_name: 'octocat/Hello-World',
      fork: true,
      owner: { login: 'octocat', id: 583231 }
    })
    expect(event.pull_request.head.label).toBe('octocat:changes')
    expect(event.pull_request.user.login).toBe('octocat')
    expect(event.sender.login).toBe('octocat')
    expect(event.pull_request.author_association).toBe('CONTRIBUTOR')
    expect(event.pull_request.base.repo.full_name).toBe('Codertocat/Hello-World')
  })

  it('relabels the opened payload for an action the examples lack', () => {
    expect(pullRequestEvent({ action: 'edited' }).action).toBe('edited')
  })
})

describe('pushEvent', () => {
  it('moves the real branch push to the given commits', () => {
    const event = pushEvent({ before: BASE, after: HEAD, ref: 'refs/heads/main' })

    expect(event).toMatchObject({
      ref: 'refs/heads/main',
      before: BASE,
      after: HEAD,
      created: false,
      deleted: false,
      head_commit: { id: HEAD },
      compare: `https://github.com/Codertocat/Hello-World/compare/${BASE.slice(0, 12)}...${HEAD.slice(0, 12)}`
    })
  })
})

describe('workflowDispatchEvent', () => {
  it('carries the inputs, in the same repository as the other events', () => {
    const event = workflowDispatchEvent({ mode: 'all' }, { ref: 'refs/heads/main' })

    expect(event).toMatchObject({
      inputs: { mode: 'all' },
      ref: 'refs/heads/main',
      workflow: '.github/workflows/hello-world-workflow.yml',
      repository: { full_name: 'Codertocat/Hello-World' }
    })
    expect(event).not.toHaveProperty('organization')
  })
})

describe('issueCommentEvent', () => {
  it("gives the real comment its author's association", () => {
    expect(issueCommentEvent({ authorAssociation: 'NONE' })).toMatchObject({
      action: 'created',
      comment: { author_association: 'NONE' },
      issue: { author_association: 'OWNER' },
      repository: { full_name: 'Codertocat/Hello-World' }
    })
  })
})

describe('workflowRunEvent', () => {
  it("puts the run in the other events' repository, its head in a fork when asked", () => {
    const own = workflowRunEvent({ event: 'push' })
    const fork = workflowRunEvent({ fork: true })

    expect(own).toMatchObject({
      repository: { full_name: 'Codertocat/Hello-World' },
      workflow_run: { event: 'push', head_repository: { full_name: 'Codertocat/Hello-World' } }
    })
    expect(fork.workflow_run).toMatchObject({
      event: 'pull_request',
      repository: { full_name: 'Codertocat/Hello-World' },
      head_repository: { full_name: 'octocat/Hello-World', fork: true }
    })
    expect(fork).not.toHaveProperty('organization')
  })
})

describe('writeEvent', () => {
  it('writes the payload where GITHUB_EVENT_PATH can point', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-'))
    const payload = pullRequestEvent({ number: 3 })

    const file = writeEvent(path.join(dir, 'runner'), payload)

    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(payload)
    fs.rmSync(dir, { recursive: true })
  })
})

describe('the trigger helpers', () => {
  it('counts the changed files of a pull request as GitHub does in the payload', () => {
    expect(pullRequestEvent({ changedFiles: 3001 }).pull_request.changed_files).toBe(3001)
  })

  it('marks a force push, and a deletion with no head commit', () => {
    const forced = pushEvent({ before: BASE, after: HEAD, forced: true })
    const deleted = pushEvent({ before: HEAD, after: '0'.repeat(40), ref: 'refs/heads/topic' })

    expect(forced).toMatchObject({ forced: true, deleted: false })
    expect(deleted).toMatchObject({ deleted: true, created: false, head_commit: null, commits: [] })
  })

  it('queues a merge group for the given commits in the same repository as the other events', () => {
    const event = mergeGroupEvent({ baseSha: BASE, headSha: HEAD })

    expect(event).toMatchObject({
      action: 'checks_requested',
      merge_group: { base_sha: BASE, head_sha: HEAD, base_ref: 'refs/heads/master' },
      repository: { full_name: 'Codertocat/Hello-World' }
    })
    expect(event.merge_group.head_commit.id).toBe(HEAD)
    expect(event).not.toHaveProperty('organization')
  })

  it('writes a schedule event as the runner does: the cron expression only', () => {
    expect(scheduleEvent('0 6 * * *')).toEqual({ schedule: '0 6 * * *' })
  })
})
