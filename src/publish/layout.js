// Where each script's video and thumbnail sit in the artifact, beside where the script sits.
// Plain JavaScript so that plain `node` imports it without a build step: `npm run demo` links
// the comment's thumbnails and videos to the artifact's copies with it.
import path from 'node:path'

/**
 * `videos/intro.md` → `videos/intro` (then `.mp4`, `.jpg`); a second script with the same stem
 * keeps its extension (`videos/intro.yml` → `videos/intro.yml.mp4`).
 * @param {string[]} files script paths, relative to the workspace, with `/`
 * @returns {Map<string, string>} each script's artifact path, without the media extension
 */
export function artifactNames(files) {
  const names = new Map()
  const taken = new Set()
  for (const file of [...files].sort()) {
    const stem = file.slice(0, file.length - path.posix.extname(file).length)
    const name = taken.has(stem) ? file : stem
    taken.add(name)
    names.set(file, name)
  }
  return names
}
