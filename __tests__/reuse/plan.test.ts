import { describe, expect, it } from '@jest/globals'
import { earlierFromState, planJobs, type Earlier } from '../../src/reuse/plan.js'
import type { SavedEntry } from '../../src/publish/state.js'
import type { VideoRequest } from '../../src/types.js'

function request(file: string, hash: string, regenerate = false): VideoRequest {
  return {
    file,
    title: file,
    model: 'heygen-avatar-4',
    payload: { title: file },
    hash: hash.repeat(64),
    regenerate,
    estimatedSeconds: 10
  }
}

function saved(hash: string, status: string, requestId: string | null = `req-${hash}`) {
  const entry: SavedEntry = {
    file: 'videos/a.md',
    hash: hash.repeat(64),
    request_id: requestId,
    status,
    video_url: null,
    thumbnail_url: null,
    duration: null
  }
  return entry
}

const fromComment = (...entries: SavedEntry[]) => earlierFromState(entries, 'the comment')

describe('planning which scripts need a new request', () => {
  it('reuses the earlier video of an unchanged script, and submits a changed one', () => {
    const plan = planJobs(
      [request('videos/a.md', 'a'), request('videos/b.md', 'b')],
      fromComment(saved('a', 'success'), saved('c', 'success'))
    )
    expect(plan.jobs).toEqual([
      { request: request('videos/a.md', 'a'), resumeId: 'req-a', reuse: true },
      { request: request('videos/b.md', 'b') }
    ])
    expect(plan.resumed.size).toBe(0)
    expect(plan.notes).toEqual([
      'videos/a.md: unchanged since request req-a (the comment): reusing its video'
    ])
  })

  it('reuses a video that was itself reused in the run before', () => {
    const plan = planJobs([request('videos/a.md', 'a')], fromComment(saved('a', 'reused')))
    expect(plan.jobs[0]).toMatchObject({ resumeId: 'req-a', reuse: true })
  })

  it('resumes a request that timed out or was still rendering when the run was killed', () => {
    const plan = planJobs(
      [request('videos/a.md', 'a'), request('videos/b.md', 'b')],
      fromComment(saved('a', 'timeout'), saved('b', 'pending'))
    )
    expect(plan.jobs).toEqual([
      { request: request('videos/a.md', 'a'), resumeId: 'req-a' },
      { request: request('videos/b.md', 'b'), resumeId: 'req-b' }
    ])
    expect([...plan.resumed]).toEqual(['videos/a.md', 'videos/b.md'])
  })

  it('prefers a finished video to a request of the same payload still rendering', () => {
    const earlier: Earlier[] = [
      { hash: 'a'.repeat(64), requestId: 'slow', state: 'rendering', from: 'the list' },
      { hash: 'a'.repeat(64), requestId: 'done', state: 'done', from: 'pull request #3' }
    ]
    const plan = planJobs([request('videos/a.md', 'a')], earlier)
    expect(plan.jobs[0]).toMatchObject({ resumeId: 'done', reuse: true })
    expect(plan.resumed.size).toBe(0)
  })

  it('submits again what failed, was cancelled, or never got a request id', () => {
    const plan = planJobs(
      [request('videos/a.md', 'a'), request('videos/b.md', 'b'), request('videos/c.md', 'c')],
      fromComment(saved('a', 'failed'), saved('b', 'cancelled'), saved('c', 'timeout', null))
    )
    expect(plan.jobs.every(job => job.resumeId === undefined)).toBe(true)
  })

  it('regenerates a script that says regenerate: true, even when its video exists', () => {
    const plan = planJobs(
      [request('videos/a.md', 'a', true), request('videos/b.md', 'b', true)],
      fromComment(saved('a', 'success'), saved('b', 'timeout'))
    )
    expect(plan.jobs).toEqual([
      { request: request('videos/a.md', 'a', true) },
      { request: request('videos/b.md', 'b', true) }
    ])
  })

  it('ignores saved entries whose status it does not know', () => {
    expect(fromComment(saved('a', 'invalid'), saved('b', 'skipped'), saved('c', 'weird'))).toEqual(
      []
    )
  })
})
