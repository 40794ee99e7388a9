// What a request ended as, in the terms of the results: read from the queue's answer.
import type { RemoteRequest } from './client.js'
import type { Generated } from './generate.js'
import { rateLimitOfRequest } from './rate-limit.js'

/** A result with no video yet: the base every outcome is built on. */
export function notGenerated(file: string): Generated {
  return {
    file,
    status: 'failed',
    requestId: null,
    videoUrl: null,
    mediaUrls: null,
    thumbnailUrl: null,
    duration: null,
    error: null
  }
}

export function fromRemote(file: string, remote: RemoteRequest): Generated {
  const base = { ...notGenerated(file), requestId: remote.requestId, duration: remote.duration }
  if (remote.status === 'success') {
    if (!remote.videoUrl) {
      // The keys say where this queue put the video, for the action to learn the shape.
      const keys = remote.outcomeKeys
      const where = keys ? `outcome keys: ${keys.length ? keys.join(', ') : 'none'}` : 'no outcome'
      return {
        ...base,
        status: 'failed',
        error: `the queue reported success but gave no video URL the action recognises (${where})`
      }
    }
    return {
      ...base,
      status: 'success',
      videoUrl: remote.videoUrl,
      mediaUrls: remote.mediaUrls,
      thumbnailUrl: remote.thumbnailUrl
    }
  }
  const status = remote.status === 'cancelled' ? 'cancelled' : 'failed'
  const limit = rateLimitOfRequest(remote)
  if (limit) {
    return {
      ...base,
      status,
      error: `rate limited, not a render failure: the request queue refused it for its rate limit or quota (${limit}); the next run submits it again`
    }
  }
  return { ...base, status, error: remote.reason ?? noReason(remote) }
}

/** Never an empty reason: what the outcome holds, when no field the action knows says why. */
function noReason(remote: RemoteRequest): string {
  const said = `the queue reported ${remote.status} without a reason`
  return remote.outcomeExcerpt
    ? `${said}; its outcome: ${remote.outcomeExcerpt}`
    : `${said} or an outcome`
}
