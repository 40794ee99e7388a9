// A run spends at most a budget of time reading scripts, all of them together: past it, the scripts
// not read yet are skipped with a note, however cheap each hostile one was on its own. The clock is
// the test's: each parse "costs" what the test says, so nothing here waits or depends on speed.
import { describe, expect, it } from '@jest/globals'
import { createScriptParser } from '../../src/script/index.js'
import { rowsFor } from '../../src/rows.js'
import type { ScriptDefaults } from '../../src/types.js'

const defaults: ScriptDefaults = {
  model: 'heygen-avatar-4',
  avatarId: 'avatar-1',
  voiceId: 'voice-1',
  dimension: '720p',
  caption: false
}
const script = 'Hello team, this is our new dashboard.\n'

/** A CPU clock that moves `step` milliseconds each time it is read. */
function clock(step: number) {
  let now = 0
  return () => (now += step)
}

describe('the parse budget of a run', () => {
  it('skips the scripts left once it is spent, and says so once', async () => {
    const warnings: string[] = []
    // Each parse costs 20 s: the first three fit in 60 s, the third spends the rest.
    const parser = createScriptParser(null, {
      budgetMs: 60_000,
      cpuMs: clock(20_000),
      warn: message => warnings.push(message)
    })
    const files = ['a.md', 'b.md', 'c.md', 'd.md', 'e.md']
    const outcomes = []
    for (const file of files) outcomes.push(await parser.parse(file, script, defaults))

    expect(outcomes.map(o => o.ok)).toEqual([true, true, true, false, false])
    const rows = rowsFor(outcomes, false)
    expect(rows.map(r => [r.file, r.status, !!r.pending])).toEqual([
      ['a.md', 'skipped', true],
      ['b.md', 'skipped', true],
      ['c.md', 'skipped', true],
      ['d.md', 'skipped', false],
      ['e.md', 'skipped', false]
    ])
    expect(rows[3]).toMatchObject({
      problems: [],
      error:
        "not read: this run's 60 s for reading scripts ran out before this one; fix or remove the scripts stopped for taking too long (marked invalid), and the next run reads the others"
    })
    expect(warnings).toEqual([
      "Reading the scripts took 60 s in all, this run's budget: those not read yet are skipped; fix or remove the scripts stopped for taking too long (marked invalid), and the next run reads the others"
    ])
  })

  it('reads every script of a run that stays within it', async () => {
    const parser = createScriptParser(null, { budgetMs: 60_000, cpuMs: clock(1) })
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) => parser.parse(`v${i}.md`, script, defaults))
    )
    expect(outcomes.every(o => o.ok)).toBe(true)
  })
})
