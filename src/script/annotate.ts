// A script's problems where its writer looks: on its lines in the pull request's diff.
import * as core from '@actions/core'
import type { Problem, ScriptOutcome } from '../types.js'

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
      core.error(said(p), where(p, 'Invalid video script'))
    }
    for (const w of outcome.warnings) core.warning(said(w), where(w, 'Video script'))
  }
}
