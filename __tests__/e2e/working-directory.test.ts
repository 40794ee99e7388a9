// The README's fork recipe: the trusted base checked out in the workspace, the pull request's
// head in a folder of its own, and `working-directory` pointing the action at that folder.
import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pullRequestEvent } from '../../stand-ins/events.js'
import { createScene, HEAD_SHA, BASE_SHA, results, type Scene } from './harness.js'

const PR = 7
let scene: Scene
afterEach(async () => scene?.close())

/** A fork's pull request that adds `files`, as pull_request_target hands it to the workflow. */
function forkPullRequest(files: string[]) {
  scene.github.addPullRequest(PR, {
    files: files.map(filename => ({ filename, status: 'added' })),
    head: { sha: HEAD_SHA },
    base: { sha: BASE_SHA },
    fork: true
  })
  const payload = pullRequestEvent({
    number: PR,
    action: 'synchronize',
    headSha: HEAD_SHA,
    baseSha: BASE_SHA,
    fork: true,
    authorAssociation: 'COLLABORATOR',
    changedFiles: files.length
  })
  return { name: 'pull_request_target', payload }
}

function spoken(): string[] {
  return scene.sim.requests.map(r => {
    const inputs = (r.payload as { video_inputs: Array<{ voice: { input_text?: string } }> })
      .video_inputs
    return inputs.map(i => i.voice.input_text).join(' ')
  })
}

describe('working-directory', () => {
  it("reads the pull request's scripts from its folder, with paths as in the repository", async () => {
    scene = await createScene({
      files: {
        // The base branch's version, in the workspace: not what the pull request proposes.
        'videos/intro.md': 'The words on the base branch.\n',
        'pr/videos/intro.md': 'The words the pull request proposes.\n',
        'pr/videos/bad.yml': 'title: Bad\nscenes:\n  - text: Hello\n    speed: 3\n'
      }
    })
    const event = forkPullRequest(['videos/intro.md', 'videos/bad.yml'])

    const run = await scene.run({ event, inputs: { 'working-directory': 'pr' } })

    expect(spoken()).toEqual(['The words the pull request proposes.'])
    expect(results(run)).toMatchObject([
      { file: 'videos/bad.yml', status: 'invalid' },
      { file: 'videos/intro.md', status: 'success' }
    ])
    // The annotation lands on the pull request's own file, which GitHub names from the repository root.
    const problem = run.annotations.find(a => a.level === 'error' && a.properties.file)
    expect(problem?.properties).toMatchObject({ file: 'videos/bad.yml', line: '4' })
    const comment = scene.github.comments(PR)[0]!.body as string
    expect(comment).toContain(`/blob/${HEAD_SHA}/videos/intro.md`)
    expect(comment).not.toContain('pr/videos')
    expect(scene.github.violations).toEqual([])
  })

  it('fails the step before spending when the folder was not checked out', async () => {
    scene = await createScene({ files: { 'videos/intro.md': 'Hello.\n' } })
    const event = forkPullRequest(['videos/intro.md'])

    const run = await scene.run({ event, inputs: { 'working-directory': 'pr' } })

    expect(run.code).not.toBe(0)
    expect(run.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      'working-directory pr does not exist: check the repository out there first (actions/checkout with path)'
    ])
    expect(scene.sim.calls).toHaveLength(0)
    expect(results(run)).toEqual([])
  })

  it('refuses a folder outside the workspace, or a link that leads there', async () => {
    scene = await createScene({ files: { 'videos/intro.md': 'Hello.\n' } })
    const outside = await mkdtemp(path.join(tmpdir(), 'avatar-elsewhere-'))
    await mkdir(path.join(outside, 'videos'), { recursive: true })
    await symlink(outside, path.join(scene.workspace, 'pr'))
    const event = forkPullRequest(['videos/intro.md'])

    const absolute = await scene.run({ event, inputs: { 'working-directory': outside } })
    const linked = await scene.run({ event, inputs: { 'working-directory': 'pr' } })

    const errors = (r: typeof linked) =>
      r.annotations.filter(a => a.level === 'error').map(a => a.message)
    expect(absolute.code).not.toBe(0)
    expect(errors(absolute)).toEqual([
      `working-directory must be inside the workspace ${scene.workspace} (got "${outside}"): check the repository out there, with actions/checkout's path`
    ])
    expect(linked.code).not.toBe(0)
    expect(errors(linked)).toEqual([
      'working-directory pr is a symbolic link, which is never followed'
    ])
    expect(scene.sim.calls).toHaveLength(0)
  })
})
