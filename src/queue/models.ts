// What the queue says about models: the ids a key can use (to name the closest one when a model is
// unknown) and the parameters a model declares (to warn about payload keys it may not take). Both
// answers are undocumented, so every reader here accepts each plausible shape and returns nothing
// rather than guess.
import type { VideoRequest } from '../types.js'

/**
 * The model ids in a `GET /models` answer: a list of ids, or of objects naming one, bare or
 * under `models`, `data` or `items`. Ids are case-sensitive and kept as given. Null when the
 * answer holds no such list.
 */
export function readModelIds(answer: unknown): string[] | null {
  const record = asRecord(answer)
  const list = Array.isArray(answer)
    ? answer
    : [record?.models, record?.data, record?.items].find(Array.isArray)
  if (!list) return null
  const ids = list.flatMap(item => {
    if (typeof item === 'string') return [item]
    const entry = asRecord(item)
    const id = entry?.model_id ?? entry?.id ?? entry?.model ?? entry?.name
    return typeof id === 'string' && id ? [id] : []
  })
  return [...new Set(ids)]
}

/**
 * The parameter names a model-details answer declares: `parameters` as a list of names or of
 * objects with a `name`, or as an object keyed by name; at the top or under `data` or `model`.
 * Null when the answer lists none: then nothing can be said about the payload's keys.
 */
export function readParameterNames(answer: unknown): string[] | null {
  const record = asRecord(answer)
  const holder = [record, asRecord(record?.data), asRecord(record?.model)].find(
    r => r?.parameters !== undefined
  )
  const parameters = holder?.parameters
  if (Array.isArray(parameters)) {
    const names = parameters.flatMap(item => {
      if (typeof item === 'string') return [item]
      const name = asRecord(item)?.name ?? asRecord(item)?.key
      return typeof name === 'string' && name ? [name] : []
    })
    return names.length ? [...new Set(names)] : null
  }
  const keyed = asRecord(parameters)
  return keyed && Object.keys(keyed).length ? Object.keys(keyed) : null
}

/**
 * The ids among `available` a user most likely meant by `wanted`, best first: the same id in
 * another case, then those a few edits away (`heygen-avatar-4` → `heygen-avatar-v4`).
 */
export function closestIds(wanted: string, available: string[], max = 3): string[] {
  const target = wanted.toLowerCase()
  const allowed = Math.max(2, Math.floor(target.length / 3))
  return available
    .filter(id => id !== wanted)
    .map(id => ({ id, distance: editDistance(target, id.toLowerCase()) }))
    .filter(({ distance }) => distance <= allowed)
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .slice(0, max)
    .map(({ id }) => id)
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution))
    }
    previous = row
  }
  return previous[b.length]!
}

/** The models a key can use, as the end of an error about an unknown one. */
export function suggestion(wanted: string, available: string[] | Error): string {
  if (available instanceof Error) {
    return `; the list of models this key can use could not be read (${available.message})`
  }
  const close = closestIds(wanted, available)
  if (close.length) return `; did you mean ${close.map(id => `\`${id}\``).join(' or ')}?`
  if (!available.length) return '; the queue lists no model this key can use'
  const shown = available.slice(0, 10).map(id => `\`${id}\``)
  const more = available.length > shown.length ? ` and ${available.length - shown.length} more` : ''
  return `; the models this key can use: ${shown.join(', ')}${more}`
}

/**
 * Top-level payload keys a model does not declare, each with the scripts that send it. The model
 * pages disagree (`caption` and `title` are on the `heygen-avatar-4` page only: request-queue.md,
 * "Evidence from live clients": model details), so such a key is worth a warning, not an error.
 */
export function undeclaredKeys(
  requests: VideoRequest[],
  model: string,
  parameters: string[]
): Map<string, string[]> {
  const declared = new Set(parameters)
  const found = new Map<string, string[]>()
  for (const request of requests.filter(r => r.model === model)) {
    for (const key of Object.keys(request.payload)) {
      if (declared.has(key)) continue
      found.set(key, [...(found.get(key) ?? []), request.file])
    }
  }
  return found
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
