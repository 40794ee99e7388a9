// What a changed script now says differently: a word diff of the spoken text, the longest common
// subsequence of words kept and the rest marked removed or added. Pure, and bounded: a script of
// thousands of words is compared on its first words only, and says so.

/** A run of words the two texts share, or that only the earlier or only the later one says. */
export interface Piece {
  op: 'same' | 'removed' | 'added'
  words: string[]
}

export interface WordDiff {
  pieces: Piece[]
  removed: number
  added: number
  /** The texts were longer than the words compared: what follows them is not in the diff. */
  cut: boolean
}

/**
 * Words compared of each text, past what the two share at their start and end: the table of
 * common subsequences is (n + 1)² small integers, 4 MB at most.
 */
export const MAX_DIFF_WORDS = 1000

/** The words of `before` and `after` (split at white space), compared. */
export function wordDiff(before: string, after: string, maxWords = MAX_DIFF_WORDS): WordDiff {
  const a = words(before)
  const b = words(after)
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let end = 0
  while (end < a.length - start && end < b.length - start && a.at(-1 - end) === b.at(-1 - end))
    end++
  const middleA = a.slice(start, a.length - end)
  const middleB = b.slice(start, b.length - end)
  const cut = middleA.length > maxWords || middleB.length > maxWords
  const pieces: Piece[] = []
  push(pieces, 'same', a.slice(0, start))
  for (const [op, word] of lcsOps(middleA.slice(0, maxWords), middleB.slice(0, maxWords)))
    push(pieces, op, [word])
  // Past the cut the texts are not compared: their shared end would read as if nothing differed.
  if (!cut) push(pieces, 'same', a.slice(a.length - end))
  const count = (op: Piece['op']) =>
    pieces.filter(p => p.op === op).reduce((sum, p) => sum + p.words.length, 0)
  return { pieces, removed: count('removed'), added: count('added'), cut }
}

function words(value: string): string[] {
  return value.split(/\s+/u).filter(Boolean)
}

/** Appends `words` as `op`, joined to the last piece when it is the same op. */
function push(pieces: Piece[], op: Piece['op'], words: string[]): void {
  if (!words.length) return
  const last = pieces.at(-1)
  if (last?.op === op) last.words.push(...words)
  else pieces.push({ op, words: [...words] })
}

/**
 * The classic dynamic programme, filled from the ends so the walk can go forward: `table[i][j]`
 * is the length of the longest common subsequence of `a[i..]` and `b[j..]`. Where both ways are
 * as long, a removal comes before an addition, as diffs usually read.
 */
function lcsOps(a: string[], b: string[]): Array<[Piece['op'], string]> {
  const width = b.length + 1
  const table = new Uint16Array((a.length + 1) * width)
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] =
        a[i] === b[j]
          ? table[(i + 1) * width + j + 1]! + 1
          : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!)
    }
  }
  const ops: Array<[Piece['op'], string]> = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push(['same', a[i++]!])
      j++
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) {
      ops.push(['removed', a[i++]!])
    } else {
      ops.push(['added', b[j++]!])
    }
  }
  while (i < a.length) ops.push(['removed', a[i++]!])
  while (j < b.length) ops.push(['added', b[j++]!])
  return ops
}
