// Which runs publish to the release: what landed on a branch the workflow author trusts, never
// what is proposed. A push to any branch runs the workflow, so the branch decides, not the event.
import { globSet } from '../find/globs.js'
import type { EventInfo } from '../github/event.js'

/** Whether this run publishes, and if not, why: `notice` when the author would expect it to. */
export type ReleaseDecision = { publish: true } | { publish: false; why: string; notice: boolean }

/**
 * `push`, `workflow_dispatch` and `schedule` publish from a tag, or from one of `branches`
 * (GitHub's branch filter patterns; empty: the repository's default branch). A merge group never
 * does: the merge may not land, and the push that follows it publishes.
 */
export function decideRelease(event: EventInfo, branches: string[]): ReleaseDecision {
  if (event.name === 'merge_group') {
    return {
      publish: false,
      notice: true,
      why: 'release: not published from a merge_group run, whose merge may not land; the push to the branch after it publishes'
    }
  }
  if (!['push', 'workflow_dispatch', 'schedule'].includes(event.name)) {
    return {
      publish: false,
      notice: false,
      why: `release: not updated from a ${event.name} run, only after a merge or a manual run`
    }
  }
  if (event.ref.startsWith('refs/tags/')) return { publish: true }
  const branch = event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : null
  const refused = (allowed: string) => ({
    publish: false as const,
    notice: true,
    why: `release: not published from ${branch === null ? event.ref || 'this run' : `the branch ${branch}`}: only ${allowed} and tags publish; list other branches in release-branches`
  })
  if (branch === null) return refused('branches')
  if (branches.length) {
    return globSet(branches).matches(branch)
      ? { publish: true }
      : refused(`the branches in release-branches (${branches.join(', ')})`)
  }
  // GitHub runs scheduled workflows on the default branch only; its payload does not name it.
  if (event.name === 'schedule') return { publish: true }
  if (!event.defaultBranch)
    return refused("the repository's default branch (the event does not name it)")
  return branch === event.defaultBranch
    ? { publish: true }
    : refused(`the default branch (${event.defaultBranch})`)
}
