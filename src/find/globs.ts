// Matches paths against the `scripts` globs the way GitHub's `paths` filters do (the "filter
// pattern cheat sheet"): patterns apply in order, and a later `!pattern` excludes what earlier
// ones included, and a still later positive pattern includes it again.

export interface GlobSet {
  matches(path: string): boolean
  /** Positive patterns that matched none of the paths seen, for a warning. */
  unused(paths: string[]): string[]
}

export function globSet(patterns: string[]): GlobSet {
  const rules = patterns.map(pattern => {
    const negated = pattern.startsWith('!')
    return { pattern, negated, regex: globToRegExp(negated ? pattern.slice(1) : pattern) }
  })
  return {
    matches(path) {
      let included = false
      for (const rule of rules) if (rule.regex.test(path)) included = !rule.negated
      return included
    },
    unused(paths) {
      return rules.filter(r => !r.negated && !paths.some(p => r.regex.test(p))).map(r => r.pattern)
    }
  }
}

/**
 * One pattern as a regular expression over the whole path. GitHub's wildcards differ from
 * shell globs: `?` and `+` quantify the preceding character (`*.jsx?` matches `page.js`), `**`
 * crosses `/` even inside a segment (`**.js`), and `*` never does.
 */
export function globToRegExp(pattern: string): RegExp {
  /** Regex pieces; `quantifiable` marks a single character or class that `?`/`+` may repeat. */
  const atoms: Array<{ source: string; quantifiable: boolean }> = []
  const literal = (char: string) => ({ source: escape(char), quantifiable: true })
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string
    const last = atoms[atoms.length - 1]
    if (char === '\\' && i + 1 < pattern.length) {
      atoms.push(literal(pattern[++i] as string))
    } else if (char === '*' && pattern[i + 1] === '*') {
      i++
      // `**/` also matches no folder at all: `**/README.md` matches `README.md`.
      if (pattern[i + 1] === '/') {
        i++
        atoms.push({ source: '(?:.*/)?', quantifiable: false })
      } else atoms.push({ source: '.*', quantifiable: false })
    } else if (char === '*') {
      atoms.push({ source: '[^/]*', quantifiable: false })
    } else if ((char === '?' || char === '+') && last?.quantifiable) {
      last.source += char
      last.quantifiable = false
    } else if (char === '[' && pattern.indexOf(']', i + 2) > i) {
      const end = pattern.indexOf(']', i + 2)
      const inside = pattern.slice(i + 1, end).replace(/[\\\]^]/g, '\\$&')
      atoms.push({ source: `[${inside}]`, quantifiable: true })
      i = end
    } else {
      atoms.push(literal(char))
    }
  }
  return new RegExp(`^${atoms.map(a => a.source).join('')}$`)
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
