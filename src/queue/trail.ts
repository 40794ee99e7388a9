// The shape of a request-queue answer, for the debug log: what a user's failing run must carry for
// the action to be fixed against the live queue, whose answers are mostly undocumented. Only
// structure leaves here (keys, counts, statuses), never a value that could be a signed URL or a
// key: a debug log is pasted into issues.

const MAX_KEYS = 20
const MAX_KEY_LENGTH = 40

/**
 * `status success; outcome keys duration, media_urls, thumbnail_image_url; 1 media` for a
 * request, `requests: 3 (success 2, queued 1), payloads shown, total 7; keys requests, total` for
 * a list, and the keys (and counts of arrays) of anything else.
 */
export function answerShape(answer: unknown): string {
  if (Array.isArray(answer)) return `a list of ${answer.length}`
  const record = asRecord(answer)
  if (!record) return answer === null ? 'empty' : typeof answer
  const parts: string[] = []
  if (Array.isArray(record.requests)) parts.push(listShape(record.requests, record))
  else if ('status' in record || 'outcome' in record) parts.push(requestShape(record))
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'requests' && Array.isArray(value)) parts.push(`${name(key)}: ${value.length}`)
  }
  parts.push(`keys ${keys(record)}`)
  return parts.join('; ')
}

/** One request: its status, the keys of its outcome, how many media URLs it carries. */
export function requestShape(record: Record<string, unknown>): string {
  const status = typeof record.status === 'string' ? word(record.status) : 'none'
  const outcome = asRecord(record.outcome)
  const said = [`status ${status}`]
  if (outcome) {
    said.push(`outcome keys ${keys(outcome)}`, `${mediaCount(outcome)} media`)
  } else {
    const outcomeIs =
      record.outcome === undefined
        ? 'absent'
        : record.outcome === null
          ? 'null'
          : typeof record.outcome
    said.push(`outcome ${outcomeIs}`)
  }
  said.push(record.payload === undefined || record.payload === null ? 'no payload' : 'payload')
  return said.join(', ')
}

function listShape(items: unknown[], record: Record<string, unknown>): string {
  const statuses = new Map<string, number>()
  for (const item of items) {
    const status = asRecord(item)?.status
    const key = typeof status === 'string' ? word(status) : 'none'
    statuses.set(key, (statuses.get(key) ?? 0) + 1)
  }
  const counted = [...statuses].map(([status, n]) => `${status} ${n}`).join(', ')
  const withPayload = items.filter(item => asRecord(item)?.payload != null).length
  const total = typeof record.total === 'number' ? `, total ${record.total}` : ''
  return `requests: ${items.length}${counted ? ` (${counted})` : ''}, ${withPayload} with payloads${total}`
}

/** The media URLs an outcome carries, in every shape seen, counted and never shown. */
function mediaCount(outcome: Record<string, unknown>): number {
  const lists = [outcome.media_urls, outcome.medias].filter(Array.isArray) as unknown[][]
  return (
    lists.reduce((sum, list) => sum + list.length, 0) +
    (typeof outcome.video_url === 'string' ? 1 : 0)
  )
}

function keys(record: Record<string, unknown>): string {
  const all = Object.keys(record).sort()
  const shown = all.slice(0, MAX_KEYS).map(name)
  if (all.length > MAX_KEYS) shown.push(`… ${all.length - MAX_KEYS} more`)
  return shown.length ? shown.join(', ') : '(none)'
}

/** A key or a status word, shortened: they are remote text, and only their gist is useful. */
function name(key: string): string {
  return key.length > MAX_KEY_LENGTH ? `${key.slice(0, MAX_KEY_LENGTH)}…` : key
}

function word(value: string): string {
  return name(value.replace(/\s+/g, ' ').trim()) || '(blank)'
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
