// Matches paths against the `scripts` globs the way GitHub's path filters do:
// patterns apply in order, and a later `!pattern` excludes what earlier ones included.
import picomatch from 'picomatch'

export interface GlobSet {
  matches(path: string): boolean
  /** Positive patterns that matched none of the paths seen, for a warning. */
  unused(paths: string[]): string[]
}

export function globSet(patterns: string[]): GlobSet {
  const rules = patterns.map(pattern => {
    const negated = pattern.startsWith('!')
    const glob = negated ? pattern.slice(1) : pattern
    return { pattern, negated, test: picomatch(glob, { dot: true }) }
  })
  return {
    matches(path) {
      let included = false
      for (const rule of rules) if (rule.test(path)) included = !rule.negated
      return included
    },
    unused(paths) {
      return rules.filter(r => !r.negated && !paths.some(p => r.test(p))).map(r => r.pattern)
    }
  }
}
