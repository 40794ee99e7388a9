// What the queue says about models: the ids a key can use (to name the closest one when a model is
// unknown) and the parameters a model declares (to warn about payload keys it may not take). Both
// answers are undocumented, so every reader here accepts each plausible shape and returns nothing
// rather than guess.
import { listed } from '../log.js'
import type { VideoRequest } from '../types.js'

/** The fields of a listed model that may hold its id, most specific first. */
const ID_FIELDS = ['model_id', 'id', 'model', 'name'] as const

/** Where a list of models is most likely to be, before any other key holding a list. */
const LIST_KEYS = ['models', 'model_ids', 'data', 'items', 'ids']

/** Items of the list read at most: the answer is the queue's, and its length is not. */
export const MAX_MODELS_READ = 10_000

/** Longer than any model id: a string past it is not one. */
const MAX_ID_LENGTH = 200

/**
 * The model ids in a `GET /models` answer: a list of ids, or of objects naming one in an id-like
 * field, either the answer itself or under one of its keys (`models`, `model_ids`, `data`, any
 * other holding such a list). Ids are case-sensitive and kept as given; at most MAX_MODELS_READ
 * items are read. Null when the answer holds no list at all.
 */
export function readModelIds(answer: unknown): string[] | null {
  if (Array.isArray(answer)) return idsIn(answer)
  const record = asRecord(answer)
  if (!record) return null
  // A list under a usual key is the list, even an empty one; else the first list naming ids.
  const usual = LIST_KEYS.map(key => record[key]).find(Array.isArray)
  if (usual) return idsIn(usual)
  const lists = Object.values(record).filter(Array.isArray)
  if (!lists.length) return null
  return lists.map(idsIn).find(ids => ids.length) ?? []
}

function idsIn(list: unknown[]): string[] {
  const ids = list.slice(0, MAX_MODELS_READ).flatMap(item => {
    const entry = asRecord(item)
    const id = entry ? ID_FIELDS.map(field => entry[field]).find(isId) : item
    return isId(id) ? [id] : []
  })
  return [...new Set(ids)]
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
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
  return `; the models this key can use: ${listed(available, id => `\`${id}\``)}`
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
