// Where each script's video and thumbnail go in the artifact (and in the `directory` output): the
// script's own path with a media extension, mapped to names the artifact service accepts. The same
// script gets the same name on every run, and no two scripts ever get the same one.
import path from 'node:path'

/**
 * What the artifact service refuses in a file path (@actions/artifact's own list: NTFS cannot hold
 * them), `\` (a folder separator on Windows, where artifacts are unzipped too), control
 * characters, and `%`, the escape itself, so that the mapping stays one-to-one.
 */
// eslint-disable-next-line no-control-regex -- control characters are among those refused
const REFUSED = /[%":<>|*?\\\u0000-\u001F\u007F]/g

/** `path` with every refused character written as `%XX` (UTF-8 bytes, as in URLs). */
export function storablePath(file: string): string {
  return file.replace(REFUSED, ch =>
    Array.from(
      Buffer.from(ch, 'utf8'),
      byte => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
    ).join('')
  )
}

/**
 * The artifact-relative path, without extension, that each of `files` gets: `videos/intro.md` →
 * `videos/intro`. When another script of the repository (`known`: every script file the globs
 * select in the workspace, not only this run's) has the same name with another extension, each
 * keeps its extension (`videos/intro.md`, `videos/intro.yml`), so that names do not depend on
 * which scripts a run happens to touch.
 */
export function mediaBases(files: string[], known: string[]): Map<string, string> {
  const stems = new Map<string, number>()
  for (const file of new Set([...known, ...files])) {
    stems.set(stemOf(file), (stems.get(stemOf(file)) ?? 0) + 1)
  }
  // Whole paths are unique; a stem can still equal another script's whole path
  // (`a.md.md` beside `a.md` and `a.yml`): such scripts keep their whole path too.
  const whole = new Set(files.filter(file => (stems.get(stemOf(file)) ?? 0) > 1))
  for (;;) {
    const owners = new Map<string, string[]>()
    for (const file of files) {
      const base = whole.has(file) ? file : stemOf(file)
      owners.set(base, [...(owners.get(base) ?? []), file])
    }
    const clashing = [...owners.values()].filter(list => list.length > 1).flat()
    const fresh = clashing.filter(file => !whole.has(file))
    if (!fresh.length) break
    for (const file of fresh) whole.add(file)
  }
  return new Map(files.map(file => [file, storablePath(whole.has(file) ? file : stemOf(file))]))
}

function stemOf(file: string): string {
  return file.slice(0, file.length - path.posix.extname(file).length)
}
