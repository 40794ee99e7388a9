// The README's examples are what users copy: each script must be valid, and each workflow recipe
// must work as written, with the README's own example scripts and the sample repository's.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { parseScript } from '../src/script/index.js'
import { readSettings } from '../src/settings.js'
import { ROOT } from '../stand-ins/runner.js'

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const docs = readdirSync(path.join(ROOT, 'docs'))
  .filter(f => f.endsWith('.md'))
  .map(f => readFileSync(path.join(ROOT, 'docs', f), 'utf8'))
const section = readFileSync(path.join(ROOT, 'docs', 'scripts.md'), 'utf8')
const examples = [...section.matchAll(/```(markdown|yaml|json)\n([\s\S]*?)```/g)].map(
  ([, lang, text]) => ({ lang: lang!, text: text! })
)
const extension = { markdown: 'md', yaml: 'yml', json: 'json' } as const
const defaults = {
  model: 'heygen-avatar-4',
  avatarId: 'Daisy-inskirt-20220818',
  voiceId: '2d5b0e6cf36f460aa7fc47e3eee4ba54',
  dimension: '720p',
  caption: false
}

describe('README script examples', () => {
  it('has examples of every kind', () => {
    expect(examples.map(e => e.lang).sort()).toEqual(['json', 'markdown', 'yaml', 'yaml'])
  })

  it.each(examples.map((e, i) => [i + 1, e] as const))('example %i is a valid script', (_, e) => {
    const outcome = parseScript(
      `videos/example.${extension[e.lang as keyof typeof extension]}`,
      e.text,
      defaults
    )
    expect(outcome.ok ? [] : outcome.problems).toEqual([])
  })
})

type Step = { uses?: string; with?: Record<string, unknown> }
type Job = {
  steps: Step[]
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown[]> }
  needs?: string | string[]
  if?: string
}
type Workflow = {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

const ACTION = 'avatar-video-action/avatar-video-action'
const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>
}
const workflows = [...[readme, ...docs].join('\n').matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map(([, text]) => parse(text!) as Workflow)
  .filter(doc => doc && typeof doc === 'object' && 'jobs' in doc)
/** The recipe of a job matrix, whose shards and final job use the action twice. */
const isMatrix = (w: Workflow) => Object.values(w.jobs).some(job => job.strategy?.matrix)
const recipes = workflows
  .filter(workflow => !isMatrix(workflow))
  .map(workflow => ({ trigger: Object.keys(workflow.on).join(', '), workflow }))
const steps = (w: Workflow) => Object.values(w.jobs).flatMap(job => job.steps)
const ours = (w: Workflow) => steps(w).filter(s => s.uses?.startsWith(`${ACTION}@`))

/** Every script a user starts from: the README's, and the sample repository's in examples/. */
const sampleDir = path.join(ROOT, 'examples')
const sampleScripts = [
  ...examples.map((e, i) => ({
    file: `videos/readme-${i + 1}.${extension[e.lang as keyof typeof extension]}`,
    text: e.text
  })),
  ...readdirSync(path.join(sampleDir, 'videos'), { recursive: true, encoding: 'utf8' })
    .filter(f => /\.(md|txt|ya?ml|json)$/.test(f))
    .map(f => ({
      file: `videos/${f.split(path.sep).join('/')}`,
      text: readFileSync(path.join(sampleDir, 'videos', f), 'utf8')
    }))
]

/** The action's inputs as the runner sets them: the step's `with:`, else action.yml's default. */
function settingsOf(step: Step) {
  const given = Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => [name, String(value)])
  )
  // An expression (a secret, a choice by event) has no value outside a run: leave it empty.
  const read = (name: string) => {
    const value = given[name] ?? action.inputs[name]?.default ?? ''
    return value.includes('${{') ? '' : value
  }
  return readSettings(read, { workspace: '/home/runner/work/repo/repo', mask: () => {} })
}

/** The action majors the project's own workflows use, which Dependabot keeps current. */
const ownPins = new Map<string, string>()
for (const file of readdirSync(path.join(ROOT, '.github', 'workflows'))) {
  const text = readFileSync(path.join(ROOT, '.github', 'workflows', file), 'utf8')
  for (const [, name, version] of text.matchAll(/uses: ([\w.-]+\/[\w./-]+)@(\S+)/g)) {
    ownPins.set(name!, version!)
  }
}

describe('README workflow recipes', () => {
  it('has one for every trigger the README documents', () => {
    expect(recipes.map(r => r.trigger)).toEqual([
      // The setup check, the first thing to run with a new key.
      'workflow_dispatch',
      'pull_request',
      'pull_request_target',
      'push',
      'workflow_dispatch',
      'schedule',
      'merge_group'
    ])
  })

  describe.each(recipes)('on $trigger', ({ trigger, workflow }) => {
    it('uses the action once, pinned to its major tag, with inputs action.yml declares', () => {
      expect(ours(workflow).map(s => s.uses)).toEqual([`${ACTION}@v0`])
      const unknown = Object.keys(ours(workflow)[0]!.with ?? {}).filter(
        name => !(name in action.inputs)
      )
      expect(unknown).toEqual([])
    })

    it("turns the README's and the sample repository's scripts into valid requests", () => {
      const settings = settingsOf(ours(workflow)[0]!)
      const problems = sampleScripts.flatMap(({ file, text }) => {
        const outcome = parseScript(file, text, {
          model: settings.model,
          avatarId: settings.avatarId,
          voiceId: settings.voiceId,
          dimension: settings.dimension,
          caption: settings.caption
        })
        return outcome.ok ? [] : outcome.problems.map(p => `${file}: ${p.message}`)
      })
      expect(problems).toEqual([])
    })

    it("pins other actions to the majors the project's own workflows use", () => {
      const pins = steps(workflow)
        .map(s => s.uses)
        .filter((uses): uses is string => !!uses && !uses.startsWith(`${ACTION}@`))
      expect(pins.length).toBeGreaterThan(0)
      for (const uses of pins) {
        const [name, version] = uses.split('@') as [string, string]
        expect(`${name}@${ownPins.get(name)}`).toBe(`${name}@${version}`)
      }
    })

    it('grants the permissions the action needs, and no more', () => {
      const settings = settingsOf(ours(workflow)[0]!)
      const writesComment = settings.comment && /pull_request/.test(trigger)
      // Publishing a release needs write access to contents; nothing else does.
      const releases = !!settings.release && !/pull_request/.test(trigger)
      expect(workflow.permissions).toEqual({
        contents: releases ? 'write' : 'read',
        ...(writesComment ? { 'pull-requests': 'write' } : {}),
        ...(trigger === 'push' ? { 'pull-requests': 'read' } : {})
      })
    })
  })

  describe('pull_request_target', () => {
    const workflow = recipes.find(r => r.trigger === 'pull_request_target')!.workflow
    const checkouts = steps(workflow).filter(s => s.uses?.startsWith('actions/checkout@'))
    const head = checkouts.find(s => String(s.with?.ref ?? '').includes('pull_request.head.sha'))

    it('checks out the trusted base in the workspace, and nothing of the pull request there', () => {
      expect(checkouts[0]?.with?.ref).toBeUndefined()
      expect(checkouts[0]?.with?.path).toBeUndefined()
    })

    it("checks out the pull request's exact head, without credentials, into a folder of its own", () => {
      expect(head?.with).toMatchObject({
        ref: '${{ github.event.pull_request.head.sha }}',
        'persist-credentials': false,
        'allow-unsafe-pr-checkout': true
      })
      expect(head?.with?.path).toMatch(/^[\w-]+$/)
    })

    it("reads the scripts from the pull request's folder", () => {
      expect(settingsOf(ours(workflow)[0]!).workingDirectory).toBe(head?.with?.path)
    })

    it('widens allowed-associations only to real author associations', () => {
      const expression = String(ours(workflow)[0]!.with?.['allowed-associations'])
      const lists = [...expression.matchAll(/'([A-Z_,]+)'/g)].map(([, list]) => list!.split(','))
      const known = [
        'OWNER',
        'MEMBER',
        'COLLABORATOR',
        'CONTRIBUTOR',
        'FIRST_TIME_CONTRIBUTOR',
        'FIRST_TIMER',
        'MANNEQUIN',
        'NONE'
      ]
      expect(lists).toHaveLength(2)
      expect(lists.flat().filter(a => !known.includes(a))).toEqual([])
    })
  })
})

describe('README job matrix recipe', () => {
  const workflow = workflows.find(isMatrix)!
  const jobs = Object.entries(workflow.jobs)
  const [shardJob, shards] = jobs.find(([, job]) => job.strategy?.matrix)!
  const [, final] = jobs.find(([, job]) => job !== shards)!
  const stepOf = (job: Job) => job.steps.find(s => s.uses?.startsWith(`${ACTION}@`))!
  const values = shards.strategy!.matrix!.shard as number[]
  /** The shard step's inputs as the runner expands them for one job of the matrix. */
  const shardStep = (value: number): Step => ({
    ...stepOf(shards),
    with: Object.fromEntries(
      Object.entries(stepOf(shards).with ?? {}).map(([name, v]) => [
        name,
        String(v).replace('${{ matrix.shard }}', String(value))
      ])
    )
  })

  it('makes each job of the matrix one shard of as many as the matrix has', () => {
    expect(values.map(value => settingsOf(shardStep(value)).shard)).toEqual(
      values.map(index => ({ index, count: values.length }))
    )
  })

  it('keeps the other shards rendering when one fails', () => {
    expect(shards.strategy!['fail-fast']).toBe(false)
  })

  it('reports from a final job that waits for every shard, even a failed one', () => {
    expect([final.needs].flat()).toEqual([shardJob])
    expect(final.if).toBe('always()')
    expect(settingsOf(stepOf(final))).toMatchObject({ aggregate: true, shard: null })
  })

  it("gives the final job the shards' inputs, but for the key and the shard", () => {
    const { 'api-key': key, shard, ...rest } = stepOf(shards).with ?? {}
    const { aggregate, ...inputs } = stepOf(final).with ?? {}
    expect([key, shard, aggregate]).toEqual([
      '${{ secrets.GMI_API_KEY }}',
      '${{ matrix.shard }}/4',
      true
    ])
    expect(inputs).toEqual(rest)
  })

  it('uses inputs action.yml declares, other actions pinned as the project pins them', () => {
    for (const job of [shards, final]) {
      const unknown = Object.keys(stepOf(job).with ?? {}).filter(name => !(name in action.inputs))
      expect(unknown).toEqual([])
      for (const uses of job.steps.map(s => s.uses).filter(u => !u?.startsWith(`${ACTION}@`))) {
        const [name, version] = uses!.split('@') as [string, string]
        expect(`${name}@${ownPins.get(name)}`).toBe(`${name}@${version}`)
      }
    }
    expect(workflow.permissions).toEqual({ contents: 'read' })
  })
})
