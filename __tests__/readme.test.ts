// What users copy must work as written: the script examples of docs/scripts.md, and the workflow
// recipes of examples/workflows/ (which the README and docs/ show word for word), with those
// scripts and the sample repository's. The README's inputs and outputs are action.yml's.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { marked, type Tokens } from 'marked'
import { parse } from 'yaml'
import { parseScript } from '../src/script/index.js'
import { readSettings } from '../src/settings.js'
import { ROOT } from '../stand-ins/runner.js'

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')
const readme = read('README.md')
/** The pages that show recipes: the README and docs/. */
const pages = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md'))
    .map(f => `docs/${f}`)
]
const section = read('docs/scripts.md')
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

describe('the script examples of docs/scripts.md', () => {
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
const RECIPES = 'examples/workflows'
const recipeFiles = readdirSync(path.join(ROOT, RECIPES)).sort()
const workflows = recipeFiles.map(file => ({
  file,
  text: read(`${RECIPES}/${file}`),
  workflow: parse(read(`${RECIPES}/${file}`)) as Workflow
}))
/** The recipe of a job matrix, whose shards and final job use the action twice. */
const isMatrix = (w: Workflow) => Object.values(w.jobs).some(job => job.strategy?.matrix)
const recipes = workflows
  .filter(({ workflow }) => !isMatrix(workflow))
  .map(({ file, workflow }) => ({ file, trigger: Object.keys(workflow.on).join(', '), workflow }))
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

describe('the workflow recipes of examples/workflows/', () => {
  it('has one for every trigger the README documents', () => {
    expect(Object.fromEntries(recipes.map(r => [r.file, r.trigger]))).toEqual({
      // The setup check, the first thing to run with a new key.
      'avatar-setup.yml': 'workflow_dispatch',
      'avatar-videos.yml': 'pull_request',
      'avatar-videos-fork.yml': 'pull_request_target',
      'avatar-videos-merge.yml': 'push',
      'avatar-videos-manual.yml': 'workflow_dispatch',
      'avatar-videos-schedule.yml': 'schedule',
      'avatar-videos-merge-queue.yml': 'merge_group'
    })
  })

  it('are each linked from the README', () => {
    const unlinked = recipeFiles.filter(file => !readme.includes(`](${RECIPES}/${file})`))
    expect(unlinked).toEqual([])
  })

  it('are shown in the README and docs/ word for word, under the name to give them', () => {
    const shown = pages.flatMap(page =>
      [...read(page).matchAll(/```yaml\n([\s\S]*?)```/g)]
        .map(([, text]) => text!)
        .filter(text => /^jobs:/m.test(text))
        .map(text => {
          const name = /^# \.github\/workflows\/([\w.-]+\.yml)\n/.exec(text)?.[1]
          const file = workflows.find(w => w.file === name)
          return { page, name, same: text === file?.text }
        })
    )
    expect(shown.filter(s => !s.same)).toEqual([])
    expect(shown.length).toBeGreaterThanOrEqual(4)
    for (const { file, text } of workflows) {
      expect(text.split('\n')[0]).toBe(`# .github/workflows/${file}`)
    }
  })

  it('publish from merges one run at a time, keeping every waiting run', () => {
    const merge = recipes.find(r => r.trigger === 'push')!.workflow as Workflow & {
      concurrency?: Record<string, unknown>
    }
    expect(merge.concurrency).toEqual({
      group: expect.not.stringContaining('${{'),
      'cancel-in-progress': false,
      queue: 'max'
    })
  })

  describe.each(recipes)('on $trigger ($file)', ({ trigger, workflow }) => {
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

describe('the job matrix recipe', () => {
  const workflow = workflows.find(w => isMatrix(w.workflow))!.workflow
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

/** The rows of the README table under a heading, as the plain text of their first two cells. */
function table(heading: string): [string, string][] {
  const tokens = marked.lexer(readme)
  const at = tokens.findIndex(t => t.type === 'heading' && (t as Tokens.Heading).text === heading)
  const found = tokens.slice(at).find(t => t.type === 'table') as Tokens.Table
  return found.rows.map(([name, second]) => [name!.text, second!.text])
}
const codes = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map(([, code]) => code!)

describe("the README's tables", () => {
  const declared = action as typeof action & { outputs: Record<string, unknown> }

  it("lists every input of action.yml, in its order, with action.yml's default", () => {
    const rows = table('Inputs').map(([name, given]) => [
      codes(name).join(),
      given === '—' ? '' : codes(given).join('\n')
    ])
    expect(rows).toEqual(
      Object.entries(declared.inputs).map(([name, input]) => [name, (input.default ?? '').trim()])
    )
  })

  it('lists every output of action.yml', () => {
    expect(
      table('Outputs')
        .map(([name]) => codes(name).join())
        .sort()
    ).toEqual(Object.keys(declared.outputs).sort())
  })
})

it('keeps the README a front door: at most 400 lines, the rest in docs/', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(400)
})
