// The Self-test workflow, run here as the runner would run it: its `uses: ./` step with the
// inputs the workflow gives, on the sample scripts in examples/, then its check of the outputs.
import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { pullRequestEvent } from '../../stand-ins/events.js'
import { ROOT, runAction } from '../../stand-ins/runner.js'

type Step = { id?: string; uses?: string; run?: string; with?: object; env?: object }
const workflow = parse(
  readFileSync(path.join(ROOT, '.github', 'workflows', 'self-test.yml'), 'utf8')
)
const steps: Step[] = workflow.jobs['dry-run'].steps
const action = steps.find(s => s.uses === './')!
const check = steps.find(s => s.run)!

/** The check step with `${{ steps.<id>.outputs.<name> }}` replaced by what the action set. */
function runCheck(outputs: Record<string, string>) {
  const env = Object.fromEntries(
    Object.entries(check.env ?? {}).map(([name, value]) => [
      name,
      String(value).replace(
        new RegExp(`\\$\\{\\{ steps\\.${action.id}\\.outputs\\.([\\w-]+) \\}\\}`),
        (_, output: string) => outputs[output] ?? ''
      )
    ])
  )
  return promisify(execFile)('bash', ['-e', '-c', check.run!], {
    cwd: ROOT,
    env: { ...process.env, ...env }
  }).then(
    () => 0,
    (error: { code: number }) => error.code
  )
}

describe('the Self-test workflow', () => {
  it('checks every sample script as a dry run, and its check passes', async () => {
    const inputs = Object.fromEntries(
      Object.entries(action.with ?? {}).map(([name, value]) => [name, String(value)])
    )
    const run = await runAction({
      event: { name: 'pull_request', payload: pullRequestEvent({ number: 9 }) },
      workspace: ROOT,
      inputs
    })

    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results!)).toEqual([
      expect.objectContaining({ file: 'videos/product/pricing.json', status: 'skipped' }),
      expect.objectContaining({ file: 'videos/product/release-notes.yml', status: 'skipped' }),
      expect.objectContaining({ file: 'videos/welcome.md', status: 'skipped' })
    ])
    expect(await runCheck(run.outputs)).toBe(0)
  })

  it('fails its check when a sample script is invalid or missing', async () => {
    const result = (file: string, status: string) => ({ file, status })
    const invalid = [
      result('videos/product/pricing.json', 'skipped'),
      result('videos/product/release-notes.yml', 'invalid'),
      result('videos/welcome.md', 'skipped')
    ]
    const missing = invalid.filter(r => r.status === 'skipped')

    expect(await runCheck({ results: JSON.stringify(invalid), failed: '1' })).toBe(1)
    expect(await runCheck({ results: JSON.stringify(missing), failed: '0' })).toBe(1)
  })
})
