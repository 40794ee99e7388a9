// A script's problems where its writer looks: on its lines in the pull request's diff.
import type { Problem, ScriptOutcome } from '../types.js'
import { log } from '../log.js'

/** Every problem as an annotation on its line, so the writer sees it in the diff. */
export function annotate(outcomes: ScriptOutcome[]): void {
  const where = (p: Problem, title: string) => ({
    file: p.file,
    startLine: p.line,
    startColumn: p.column,
    title
  })
  const said = (p: Problem) => `${p.key ? `${p.key}: ` : ''}${p.message}`
  for (const outcome of outcomes) {
    for (const p of outcome.ok ? [] : outcome.problems) {
      log.error(said(p), where(p, 'Invalid video script'))
    }
    for (const w of outcome.warnings) log.warning(said(w), where(w, 'Video script'))
  }
}
