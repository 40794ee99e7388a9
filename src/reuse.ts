// Plans what each script needs: an earlier video to reuse, an earlier request to resume,
// or a new submission. Pure: the remote check of reused videos happens in the generation loop.
import type { Job } from './queue/generate.js'
import type { SavedEntry } from './publish/state.js'
import type { VideoRequest } from './types.js'

export interface ReusePlan {
  jobs: Job[]
}

const PAID = new Set(['success', 'reused'])

export function planReuse(requests: VideoRequest[], saved: SavedEntry[]): ReusePlan {
  const byHash = new Map<string, SavedEntry>()
  for (const entry of saved)
    if (entry.request_id && !byHash.has(entry.hash)) byHash.set(entry.hash, entry)
  return {
    jobs: requests.map(request => {
      const earlier = byHash.get(request.hash)
      if (!earlier?.request_id || request.regenerate) return { request }
      if (PAID.has(earlier.status)) return { request, resumeId: earlier.request_id, reuse: true }
      if (earlier.status === 'timeout') return { request, resumeId: earlier.request_id }
      return { request }
    })
  }
}
