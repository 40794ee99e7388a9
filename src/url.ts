// The one rule for URLs the action links to, downloads from or sends the key to: https, or http
// on this machine only (a local simulator), and never with credentials of their own.

/** Whether `hostname` (as `URL` gives it, so `127.1` is already `127.0.0.1`) is this machine. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

/** `value` parsed, when it is https or loopback http and has no user name or password. */
export function trustedUrl(value: string | null | undefined): URL | null {
  if (!value) return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  const allowed =
    url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))
  return allowed && !url.username && !url.password ? url : null
}
