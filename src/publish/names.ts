// Where each script's video and thumbnail go in the artifact (and in the `directory` output): the
// script's own path with a media extension, mapped to names the artifact service accepts. The same
// script gets the same name on every run, and no two scripts ever get the same one. And the names
// of its assets in a GitHub release, which has no folders (see assetNames).
import { createHash } from 'node:crypto'
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

/**
 * Hex digits of the path's sha256 in a release asset's name: 64 bits, so that finding a path that
 * takes another script's name costs about 2^64 hashes (8 digits were found in minutes).
 */
const NAME_HASH_DIGITS = 16
/** What earlier versions gave (up to 0.1.0): names a release may still hold, and a script keeps. */
const LEGACY_HASH_DIGITS = 8

export interface AssetNames {
  video: string
  thumbnail: string
}

/**
 * Asset names for a script: flat (a release has no folders), within the characters GitHub keeps
 * as they are, readable, and told apart by 16 hex digits of the sha256 of the whole path:
 * `videos/product/intro.md` → `videos-product-intro-1a2b3c4d5e6f7a8b.mp4`.
 */
export function assetNames(
  file: string,
  thumbnailExtension = '.jpg',
  digits = NAME_HASH_DIGITS
): AssetNames {
  const readable =
    stemOf(file)
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'video'
  const id = createHash('sha256').update(file).digest('hex').slice(0, digits)
  const base = `${readable.slice(0, 120)}-${id}`
  return { video: `${base}.mp4`, thumbnail: `${base}${thumbnailExtension}` }
}

/** What a release's manifest.json says a script's assets are called. */
export interface NamedAssets {
  file: string
  video: string
  thumbnail: string | null
}

/**
 * The asset names each of `scripts` gets in a release whose manifest.json lists `earlier`, or why
 * it gets none. A script the manifest lists keeps the names it has there when they are its names
 * (an earlier version's 8-digit ones included), so its address never changes. A name that the
 * manifest gives another script, or that a script before it in `scripts` takes, is refused,
 * naming both: publishing it would replace the other's video at its address.
 */
export function releaseAssetNames(
  scripts: Array<{ file: string; thumbnailExtension: string }>,
  earlier: NamedAssets[],
  names: (file: string, thumbnailExtension: string, digits?: number) => AssetNames = assetNames
): Map<string, AssetNames | { clash: string }> {
  const owners = new Map<string, string>()
  const claim = (name: string | null, file: string) => {
    if (name && !owners.has(name)) owners.set(name, file)
  }
  // A damaged manifest (two scripts, one name) leaves the name to the first in path order.
  const listed = [...earlier].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  for (const entry of listed) {
    claim(entry.video, entry.file)
    claim(entry.thumbnail, entry.file)
  }
  const recorded = new Map(listed.map(entry => [entry.file, entry]))
  const named = new Map<string, AssetNames | { clash: string }>()
  for (const { file, thumbnailExtension } of scripts) {
    const legacy = names(file, thumbnailExtension, LEGACY_HASH_DIGITS)
    const kept = recorded.get(file)?.video === legacy.video && owners.get(legacy.video) === file
    const chosen = kept ? legacy : names(file, thumbnailExtension)
    const taken = [chosen.video, chosen.thumbnail].find(
      name => owners.has(name) && owners.get(name) !== file
    )
    if (taken) {
      named.set(file, {
        clash: `its asset name ${taken} is that of ${owners.get(taken)}, whose video it would replace: rename one of the two scripts`
      })
      continue
    }
    claim(chosen.video, file)
    claim(chosen.thumbnail, file)
    named.set(file, chosen)
  }
  return named
}
