// The identity of a video: what is sent, hashed, so that an unchanged script can reuse its video.
import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'

/** Lowercase hex sha256 of the RFC 8785 canonical JSON of `{model, payload}`. */
export function hashRequest(model: string, payload: unknown): string {
  const canonical = canonicalize({ model, payload })
  if (canonical === undefined) throw new TypeError('a request must be JSON to be hashed')
  return createHash('sha256').update(canonical).digest('hex')
}
