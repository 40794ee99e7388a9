// Real webhook payloads from @octokit/webhooks-examples, patched for one scenario and written where a
// runner puts them (GITHUB_EVENT_PATH), so the action reads what GitHub would hand it.

import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** The user a fork pull request comes from: GitHub's own octocat. */
const CONTRIBUTOR = { login: 'octocat', id: 583231 }

/** @typedef {Record<string, any>} Payload */

/** @type {{ name: string, examples: Payload[] }[] | undefined} */
let definitions

/**
 * A deep copy of the first real payload of an event (and action, when given).
 * @param {string} event e.g. `pull_request`
 * @param {string} [action] e.g. `synchronize`
 * @returns {Payload}
 */
export function webhookExample(event, action) {
  const example = firstExample(event, payload => action === undefined || payload.action === action)
  if (!example) {
    throw new Error(
      `@octokit/webhooks-examples has no ${event}${action ? `.${action}` : ''} payload`
    )
  }
  return example
}

/**
 * Writes a payload as the runner does and returns its path, for GITHUB_EVENT_PATH.
 * @param {string} dir
 * @param {object} payload
 */
export function writeEvent(dir, payload) {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'event.json')
  fs.writeFileSync(file, JSON.stringify(payload, null, 2))
  return file
}

/**
 * What a test says about a pull request. The examples' pull request is #2 of
 * Codertocat/Hello-World, from `changes` (ec26c3e…) into `master` (f95f852…), opened by the owner.
 * @typedef {{ number?: number, action?: string, headSha?: string, baseSha?: string,
 *   headRef?: string, baseRef?: string, authorAssociation?: string, fork?: boolean,
 *   changedFiles?: number }} PullRequestScenario
 */

/**
 * A `pull_request` payload: the example with that action (else the `opened` one, relabelled) with
 * the scenario's number, commits and author patched in. A fork's head lives in octocat/Hello-World
 * and its author defaults to a CONTRIBUTOR.
 * @param {PullRequestScenario} [scenario]
 * @returns {Payload}
 */
export function pullRequestEvent(scenario = {}) {
  const { number = 2, action = 'synchronize', fork = false } = scenario
  const payload =
    firstExample('pull_request', p => p.action === action) ??
    webhookExample('pull_request', 'opened')
  const example = payload.pull_request
  const headSha = scenario.headSha ?? example.head.sha
  const pr = JSON.parse(
    JSON.stringify(example)
      .replaceAll(example.head.sha, headSha)
      .replace(/\/(pulls|pull|issues)\/2(?=[/."#])/g, `/$1/${number}`)
  )
  pr.number = number
  // Each pull request its own database id, the example's #2 keeping the real one.
  pr.id = example.id + number - 2
  pr.node_id = nodeId('011:PullRequest', pr.id)
  pr.head.ref = scenario.headRef ?? pr.head.ref
  pr.base.ref = scenario.baseRef ?? pr.base.ref
  pr.base.sha = scenario.baseSha ?? pr.base.sha
  if (fork) moveHeadToFork(pr)
  pr.head.label = `${pr.head.user.login}:${pr.head.ref}`
  pr.base.label = `${pr.base.user.login}:${pr.base.ref}`
  pr.author_association = scenario.authorAssociation ?? (fork ? 'CONTRIBUTOR' : 'OWNER')
  pr.changed_files = scenario.changedFiles ?? pr.changed_files
  Object.assign(payload, { action, number, pull_request: pr, sender: pr.user })
  if (action === 'synchronize') payload.after = headSha
  return payload
}

/**
 * A `push` payload: the example that creates a branch (the default branch, `master`), moved to
 * the scenario's commits.
 * @param {{ before?: string, after?: string, ref?: string, forced?: boolean }} [scenario]
 * @returns {Payload}
 */
export function pushEvent(scenario = {}) {
  const example = firstExample('push', p => p.ref.startsWith('refs/heads/'))
  if (!example) throw new Error('@octokit/webhooks-examples has no push to a branch')
  const { before = example.before, after = example.after, ref = example.ref } = scenario
  const payload = JSON.parse(JSON.stringify(example).replaceAll(example.after, after))
  const deleted = /^0+$/.test(after)
  return Object.assign(payload, {
    ref,
    before,
    after,
    created: /^0+$/.test(before),
    deleted,
    forced: scenario.forced ?? false,
    // GitHub sends no head commit when a push deletes the branch.
    ...(deleted && { head_commit: null, commits: [] }),
    compare: `${payload.repository.html_url}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`
  })
}

/**
 * A `workflow_dispatch` payload with these inputs. The examples dispatch in an organisation's
 * repository; the repository and sender here are those of the other examples, so every event is
 * about Codertocat/Hello-World, dispatched on its default branch unless `ref` says otherwise.
 * @param {Record<string, unknown>} [inputs]
 * @param {{ ref?: string }} [options]
 * @returns {Payload}
 */
export function workflowDispatchEvent(inputs = {}, options = {}) {
  const payload = webhookExample('workflow_dispatch')
  delete payload.organization
  const { repository, sender } = webhookExample('pull_request', 'opened')
  const ref = options.ref ?? `refs/heads/${repository.default_branch}`
  return { ...payload, inputs, ref, repository, sender }
}

/**
 * A `merge_group` payload (checks_requested) for these commits. The examples queue in an
 * organisation's repository; here the queue is Codertocat/Hello-World's, like every other event.
 * @param {{ baseSha?: string, headSha?: string, baseRef?: string }} [scenario]
 * @returns {Payload}
 */
export function mergeGroupEvent(scenario = {}) {
  const payload = webhookExample('merge_group', 'checks_requested')
  delete payload.organization
  const { repository, sender } = webhookExample('pull_request', 'opened')
  const group = payload.merge_group
  const { baseSha = group.base_sha, headSha = group.head_sha } = scenario
  const baseRef = scenario.baseRef ?? 'refs/heads/master'
  const branch = baseRef.replace(/^refs\/heads\//, '')
  Object.assign(group, {
    base_sha: baseSha,
    head_sha: headSha,
    base_ref: baseRef,
    head_ref: `refs/heads/gh-readonly-queue/${branch}/pr-2-${baseSha}`,
    head_commit: { ...group.head_commit, id: headSha }
  })
  return { ...payload, repository, sender }
}

/**
 * What a runner writes to GITHUB_EVENT_PATH for a `schedule` run: GitHub sends no webhook for
 * it, and the payload holds only the cron expression that fired.
 * @param {string} [cron]
 * @returns {Payload}
 */
export function scheduleEvent(cron = '30 5 * * 1') {
  return { schedule: cron }
}

/**
 * An `issue_comment` payload (created) whose comment's author has this association with the
 * repository; the issue is the examples' own, opened by its owner.
 * @param {{ authorAssociation?: string }} [scenario]
 * @returns {Payload}
 */
export function issueCommentEvent(scenario = {}) {
  const payload = webhookExample('issue_comment', 'created')
  payload.comment.author_association = scenario.authorAssociation ?? 'OWNER'
  return payload
}

/**
 * A `workflow_run` payload (completed) in Codertocat/Hello-World, after a run for `event`, whose
 * head lives in CONTRIBUTOR's fork when `fork` is set (a fork's pull request started it).
 * @param {{ event?: string, fork?: boolean }} [scenario]
 * @returns {Payload}
 */
export function workflowRunEvent(scenario = {}) {
  const payload = webhookExample('workflow_run', 'completed')
  delete payload.organization
  const { repository, sender } = webhookExample('pull_request', 'opened')
  const { event = 'pull_request', fork = false } = scenario
  Object.assign(payload.workflow_run, {
    event,
    repository,
    head_repository: fork ? forkOf(repository) : repository
  })
  return { ...payload, repository, sender }
}

/**
 * @param {string} event
 * @param {(payload: Payload) => boolean} accept
 * @returns {Payload | undefined}
 */
function firstExample(event, accept) {
  definitions ??= /** @type {{ name: string, examples: Payload[] }[]} */ (
    require('@octokit/webhooks-examples')
  )
  const example = definitions.find(definition => definition.name === event)?.examples.find(accept)
  return example && JSON.parse(JSON.stringify(example))
}

/** Makes the head a branch of a fork owned by CONTRIBUTOR, who then authored the pull request. */
function moveHeadToFork(/** @type {Payload} */ pr) {
  const owner = pr.head.repo.owner
  pr.head.repo = forkOf(pr.head.repo)
  pr.head.user = ownedByContributor(pr.head.user, owner)
  pr.user = pr.head.user
}

/** CONTRIBUTOR's fork of a repository. */
function forkOf(/** @type {Payload} */ repo) {
  const id = repo.id + 1
  return {
    ...ownedByContributor(repo, repo.owner),
    id,
    node_id: nodeId('010:Repository', id),
    fork: true
  }
}

/** `value` with every mention of `owner` made one of CONTRIBUTOR. */
function ownedByContributor(/** @type {unknown} */ value, /** @type {Payload} */ owner) {
  return JSON.parse(
    JSON.stringify(value)
      .replaceAll(owner.login, CONTRIBUTOR.login)
      .replaceAll(owner.node_id, nodeId('04:User', CONTRIBUTOR.id))
      .replaceAll(String(owner.id), String(CONTRIBUTOR.id))
  )
}

/** GitHub's legacy global node id: base64 of the type and database id. */
export function nodeId(/** @type {string} */ type, /** @type {number} */ id) {
  return Buffer.from(`${type}${id}`).toString('base64')
}
