// The shards of a matrix publish their own videos to one release, and the aggregate job writes its
// manifest.json once: no shard is refused for creating the release a moment after another did.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startGitHub } from '../../stand-ins/github.js'
import { createGitHubClient } from '../../src/github/client.js'
import { assetNames } from '../../src/publish/names.js'
import {
  publishRelease,
  RELEASE_MARKER,
  updateReleaseManifest,
  type ReleaseTarget
} from '../../src/publish/release.js'
import type { Row } from '../../src/types.js'

const OWNER = 'Codertocat'
const REPO = 'Hello-World'
const TAG = 'avatar-videos'
const target: ReleaseTarget = {
  owner: OWNER,
  repo: REPO,
  serverUrl: 'https://github.com',
  tag: TAG
}
const MEDIA = new URL('../../stand-ins/media/', import.meta.url)

let github: Awaited<ReturnType<typeof startGitHub>>
let dir: string
const savedApiUrl = process.env.GITHUB_API_URL

beforeEach(async () => {
  github = await startGitHub({ owner: OWNER, repo: REPO })
  process.env.GITHUB_API_URL = github.url
  dir = await mkdtemp(path.join(tmpdir(), 'release-'))
})

afterEach(async () => {
  await github.close()
  await rm(dir, { recursive: true, force: true })
  process.env.GITHUB_API_URL = savedApiUrl
})

const client = () => createGitHubClient('ghs_standin', { warn: () => {} })

/** A succeeded row whose video and thumbnail were downloaded into `dir`. */
async function downloaded(file: string, hash: string): Promise<Row> {
  const base = file.replace(/\.md$/, '')
  await mkdir(path.join(dir, path.dirname(base)), { recursive: true })
  await copyFile(new URL('video.mp4', MEDIA), path.join(dir, `${base}.mp4`))
  await copyFile(new URL('thumbnail.jpg', MEDIA), path.join(dir, `${base}.jpg`))
  return {
    file,
    status: 'success',
    hash,
    request_id: `req-${hash.slice(0, 4)}`,
    video_url: 'https://media.example/v.mp4',
    thumbnail_url: 'https://media.example/t.jpg',
    duration: 3,
    error: null,
    media_urls: null,
    video_file: `${base}.mp4`,
    thumbnail_file: `${base}.jpg`,
    release_url: null,
    title: null,
    estimatedSeconds: 3,
    problems: []
  }
}

function manifestFiles(): string[] {
  const [release] = github.releases()
  const asset = release?.assets.find(a => a.name === 'manifest.json')
  if (!asset) return []
  const entries = JSON.parse(Buffer.from(github.assetBytes(asset.id)!).toString('utf8'))
  return entries.map((e: { file: string }) => e.file)
}

describe('publishing from the shards of a matrix', () => {
  it('reads the release another shard created a moment ago instead of failing', async () => {
    // Another shard created the release after this one found none.
    github.addRelease({ tag: TAG, name: TAG, body: RELEASE_MARKER, make_latest: 'false' })
    github.inject({ method: 'GET', path: '/repos/{owner}/{repo}/releases/tags/{tag}', status: 404 })
    const row = await downloaded('videos/intro.md', 'a'.repeat(64))

    const released = await publishRelease(client(), target, [row], dir, () => {}, {
      writeManifest: false
    })

    expect(released.problems).toEqual([])
    expect(github.releases()).toHaveLength(1)
    const creates = github.requests.filter(
      r => r.method === 'POST' && r.route?.endsWith('/releases')
    )
    expect(creates.map(r => r.status)).toEqual([422])
    expect(released.videos.get('videos/intro.md')).toBe(
      `https://github.com/${OWNER}/${REPO}/releases/download/${TAG}/${assetNames('videos/intro.md').video}`
    )
  })

  it("leaves the manifest to the aggregate job, which writes every shard's videos into it once", async () => {
    const [first, second] = await Promise.all([
      publishRelease(
        client(),
        target,
        [await downloaded('videos/intro.md', 'a'.repeat(64))],
        dir,
        () => {},
        { writeManifest: false }
      ),
      publishRelease(
        client(),
        target,
        [await downloaded('videos/outro.md', 'b'.repeat(64))],
        dir,
        () => {},
        { writeManifest: false }
      )
    ])
    expect([...first.problems, ...second.problems]).toEqual([])
    expect(github.releases()).toHaveLength(1)
    expect(manifestFiles()).toEqual([])

    const updated = await updateReleaseManifest(client(), target, [
      ...first.entries,
      ...second.entries
    ])

    expect(updated.problems).toEqual([])
    expect(manifestFiles()).toEqual(['videos/intro.md', 'videos/outro.md'])
    expect(github.violations).toEqual([])
  })

  it('leaves out, naming both, an entry whose asset name another shard gave another script', async () => {
    github.addRelease({ tag: TAG, body: RELEASE_MARKER, make_latest: 'false' })
    const entry = (file: string) => ({
      file,
      hash: 'e'.repeat(64),
      request_id: null,
      duration: 3,
      video: 'same.mp4',
      thumbnail: null,
      video_url: `https://github.com/${OWNER}/${REPO}/releases/download/${TAG}/same.mp4`,
      thumbnail_url: null
    })

    const updated = await updateReleaseManifest(client(), target, [
      entry('videos/a.md'),
      entry('videos/b.md')
    ])

    expect(updated.problems).toEqual([
      expect.stringMatching(
        /^videos\/b\.md: not listed in manifest\.json, its asset name same\.mp4 is that of videos\/a\.md/
      )
    ])
    expect(manifestFiles()).toEqual(['videos/a.md'])
  })

  it('keeps what the manifest listed for scripts no shard touched this run', async () => {
    await publishRelease(
      client(),
      target,
      [await downloaded('videos/old.md', 'c'.repeat(64))],
      dir,
      () => {}
    )
    const shard = await publishRelease(
      client(),
      target,
      [await downloaded('videos/new.md', 'd'.repeat(64))],
      dir,
      () => {},
      { writeManifest: false }
    )

    await updateReleaseManifest(client(), target, shard.entries)

    expect(manifestFiles()).toEqual(['videos/new.md', 'videos/old.md'])
  })
})
