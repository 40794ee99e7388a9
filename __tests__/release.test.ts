// `node scripts/release.js vX.Y.Z` tags a release and moves the major tag, and refuses a
// release whose dist/ is not the build of its sources, as a maintainer would see it.
import { describe, expect, it } from '@jest/globals'
import { execFile, execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../stand-ins/runner.js'

const RELEASE = path.join(ROOT, 'scripts', 'release.js')
const manifest = (version: string) => JSON.stringify({ name: 'x', version, type: 'module' })

/** A repository shaped like this one, whose build copies src/index.js to dist/index.js. */
async function project(version: string, changelog: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'avatar-release-'))
  const remote = path.join(dir, 'remote.git')
  const work = path.join(dir, 'work')
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], {
      cwd: work,
      encoding: 'utf8'
    }).trim()
  execFileSync('git', ['init', '-q', '--bare', remote])
  await mkdir(path.join(work, 'scripts'), { recursive: true })
  await mkdir(path.join(work, 'src'))
  await mkdir(path.join(work, 'dist'))
  const files = {
    'package.json': manifest(version),
    'CHANGELOG.md': changelog,
    'src/index.js': 'console.log(1)\n',
    'dist/index.js': 'console.log(1)\n',
    'scripts/build.js': [
      "import { copyFileSync, mkdirSync } from 'node:fs'",
      'mkdirSync(process.argv[2], { recursive: true })',
      "copyFileSync('src/index.js', process.argv[2] + '/index.js')"
    ].join('\n')
  }
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(work, file), text)
  git('init', '-q', '-b', 'main')
  git('remote', 'add', 'origin', remote)
  git('add', '.')
  git('commit', '-qm', 'first')
  git('push', '-q', 'origin', 'main')
  return {
    git,
    write: (file: string, text: string) => writeFile(path.join(work, file), text),
    release: (...args: string[]) =>
      promisify(execFile)(process.execPath, [RELEASE, ...args], { cwd: work }).then(
        ({ stdout }) => ({ code: 0, out: stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({
          code: error.code,
          out: error.stdout + error.stderr
        })
      ),
    remoteTag: (tag: string) =>
      execFileSync('git', ['rev-parse', `${tag}^{commit}`], {
        cwd: remote,
        encoding: 'utf8'
      }).trim()
  }
}

describe('scripts/release.js', () => {
  it('tags vX.Y.Z and moves the major tag to it, on the remote too', async () => {
    const repo = await project('1.0.0', '# Changelog\n\n## v1.0.0\n\nFirst.\n')
    expect(await repo.release('v1.0.0')).toMatchObject({ code: 0 })
    const first = repo.git('rev-parse', 'HEAD')

    await repo.write('package.json', manifest('1.1.0'))
    await repo.write('CHANGELOG.md', '# Changelog\n\n## v1.1.0\n\nMore.\n\n## v1.0.0\n\nFirst.\n')
    repo.git('commit', '-qam', 'next')
    const second = repo.git('rev-parse', 'HEAD')
    const run = await repo.release('v1.1.0')

    expect(run).toMatchObject({ code: 0 })
    expect(run.out).toContain('Tagged v1.1.0, and v1 now points to it')
    expect(repo.remoteTag('v1.0.0')).toBe(first)
    expect(repo.remoteTag('v1.1.0')).toBe(second)
    expect(repo.remoteTag('v1')).toBe(second)
  })

  it('refuses while dist/ is not the build of the sources', async () => {
    const repo = await project('1.0.0', '## v1.0.0\n')
    await repo.write('src/index.js', 'console.log(2)\n')
    repo.git('commit', '-qam', 'change src, forget the build')

    const run = await repo.release('v1.0.0')

    expect(run.code).toBe(1)
    expect(run.out).toContain(
      'Not released: dist/ is not the build of the committed sources (dist/index.js): run npm run build and commit dist/'
    )
    expect(repo.git('tag', '--list')).toBe('')
  })

  it.each([
    ['1.0.0', '## v1.0.0\n', 'v1.0', 'v1.0 is not a release tag: write vX.Y.Z'],
    ['1.0.0', '## v1.0.0\n', 'v1.0.1', 'package.json says version 1.0.0: set it to 1.0.1'],
    ['1.0.1', '## v1.0.0\n', 'v1.0.1', 'CHANGELOG.md has no section "## v1.0.1"']
  ])('refuses a release the project does not describe (%s, %j, %s)', async (v, log, tag, why) => {
    const repo = await project(v, log)
    const run = await repo.release(tag)
    expect(run.code).toBe(1)
    expect(run.out).toContain(why)
    expect(repo.git('tag', '--list')).toBe('')
  })

  it('refuses a tag that exists or is older than the newest release, and an unclean tree', async () => {
    const repo = await project('1.0.0', '## v1.0.0\n## v0.9.0\n')
    expect(await repo.release('v1.0.0', '--no-push')).toMatchObject({ code: 0 })
    await repo.write('package.json', manifest('0.9.0'))

    expect((await repo.release('v0.9.0')).out).toContain('The working tree has changes')
    repo.git('commit', '-qam', 'back')
    expect((await repo.release('v0.9.0')).out).toContain('v0.9.0 is older than v1.0.0')
    expect((await repo.release('v1.0.0')).out).toContain('v1.0.0 exists already')
  })
})
