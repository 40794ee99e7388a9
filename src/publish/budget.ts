// The comment's and the summary's line on the run's minutes: the estimate of what it pays for, the
// cap (`max-minutes`), and what the cap left out. Numbers and the action's own words only.
import { budgetText, type Budget } from '../budget.js'

/** `🧮 ≈ 12.5 min estimated for 6 scripts · cap 10 min`, and what the cap left out; '' for none. */
export function budgetLine(budget: Budget | null | undefined): string {
  if (!budget || (!budget.scripts && budget.capMinutes === null)) return ''
  const line = `🧮 ${budgetText(budget)}`
  if (!budget.over) return line
  const scripts = `${budget.over} ${budget.over === 1 ? 'script' : 'scripts'}`
  return budget.dryRun
    ? `${line}: a run would leave ${scripts} past it unsubmitted (fewer when videos are reused)`
    : `${line}: ${scripts} past it skipped. Raise \`max-minutes\`, or run the workflow manually (\`workflow_dispatch\`), to render them`
}
