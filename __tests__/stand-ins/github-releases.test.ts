// Releases in the GitHub stand-in, driven by the Octokit the action uses: a release found or
// created (never as the latest), assets uploaded to the host its upload_url names, replaced,
// listed, downloaded through GitHub's redirect, and every request refereed by GitHub's description.

import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { startGitHub, type GitHubStandIn } from '../../stand-ins/github.js'
import { githubAssetName } from '../../stand-ins/github-releases.js'
import { failure } from './octokit.js'

const repo = { owner: 'Codertocat', repo: 'Hello-World' }
const TAG = 'avatar-videos'

let gh: GitHubStandIn
let octokit: ReturnType<typeof getOctokit>

beforeEach(async () => {
  gh = await startGitHub()
  octokit = getOctokit('ghs_standin', { baseUrl: gh.url })
})

afterEach(async () => {
  await gh.close()
})

async function restart(options: Parameters<typeof startGitHub>[0]) {
  await gh.close()
  gh = await startGitHub(options)
  octokit = getOctokit('ghs_standin', { baseUrl: gh.url })
}

async function createRelease(make_latest: 'true' | 'false' | 'legacy' = 'false') {
  const { data } = await octokit.rest.repos.createRelease({
    ...repo,
    tag_name: TAG,
    name: 'Avatar videos',
    body: 'Videos regenerated on every merge.',
    make_latest
  })
  return data
}

/** An upload as the action makes it: raw bytes, to the release's own upload_url. */
function upload(
  release: { id: number; upload_url: string },
  name: string,
  bytes: Buffer,
  contentType = 'video/mp4'
) {
  return octokit.rest.repos.uploadReleaseAsset({
    ...repo,
    release_id: release.id,
    url: release.upload_url,
    name,
    data: bytes as unknown as string,
    headers: { 'content-type': contentType, 'content-length': bytes.length }
  })
}

function sha256(bytes: Buffer) {
  return createHash('sha256').update(bytes).digest('hex')
}

describe('finding or creating the release', () => {
  it('answers 404 for a tag without a release, then creates it without making it latest', async () => {
    gh.addRelease({ tag: 'v1.0.0', name: 'First version' })

    const missing = await failure(octokit.rest.repos.getReleaseByTag({ ...repo, tag: TAG }))
    const created = await createRelease('false')
    const found = await octokit.rest.repos.getReleaseByTag({ ...repo, tag: TAG })
    const latest = await octokit.rest.repos.getLatestRelease(repo)

    expect(missing.status).toBe(404)
    expect(found.data.id).toBe(created.id)
    expect(created).toMatchObject({
      tag_name: TAG,
      name: 'Avatar videos',
      target_commitish: 'master',
      draft: false,
      prerelease: false,
      html_url: `https://github.com/Codertocat/Hello-World/releases/tag/${TAG}`,
      author: { login: 'github-actions[bot]' }
    })
    expect(latest.data.tag_name).toBe('v1.0.0')
    expect(gh.releases().map(r => [r.tag, r.make_latest, r.latest])).toEqual([
      ['v1.0.0', 'true', true],
      [TAG, 'false', false]
    ])
    expect(gh.violations).toEqual([])
  })

  it('makes a release created with make_latest true the latest one', async () => {
    gh.addRelease({ tag: 'v1.0.0' })

    await createRelease('true')

    expect((await octokit.rest.repos.getLatestRelease(repo)).data.tag_name).toBe(TAG)
    expect(gh.releases().map(r => r.latest)).toEqual([false, true])
  })

  it('answers 404 for the latest release when every release was kept from being latest', async () => {
    await createRelease('false')

    const latest = await failure(octokit.rest.repos.getLatestRelease(repo))

    expect(latest.status).toBe(404)
  })

  it('refuses a second release for the same tag as GitHub does', async () => {
    await createRelease()

    const refused = await failure(createRelease())

    expect(refused).toEqual({
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
        documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
        status: '422'
      }
    })
    expect(gh.releases()).toHaveLength(1)
    expect(gh.violations).toEqual([])
  })

  it('refuses a tag name git would not accept', async () => {
    const refused = await failure(
      octokit.rest.repos.createRelease({ ...repo, tag_name: 'videos 10:30' })
    )

    expect(refused.status).toBe(422)
    expect(refused.body).toMatchObject({
      errors: [
        { code: 'custom', field: 'tag_name', message: 'tag_name is not a valid tag' },
        { code: 'custom', field: 'tag_name', message: 'tag_name is not well-formed' },
        { code: 'custom', message: 'Published releases must have a valid tag' }
      ]
    })
  })

  it('gets a release by id with its assets, and 404 for an unknown one', async () => {
    const seeded = gh.addRelease({ tag: TAG, assets: [{ name: 'intro.mp4', data: 'video' }] })

    const { data } = await octokit.rest.repos.getRelease({ ...repo, release_id: seeded.id })
    const unknown = await failure(octokit.rest.repos.getRelease({ ...repo, release_id: 1 }))

    expect(data.assets.map(asset => [asset.name, asset.size])).toEqual([['intro.mp4', 5]])
    expect(unknown.status).toBe(404)
    expect(gh.violations).toEqual([])
  })

  it('lists the releases newest first', async () => {
    gh.addRelease({ tag: 'v1.0.0' })
    await createRelease()

    const { data } = await octokit.rest.repos.listReleases(repo)

    expect(data.map(release => release.tag_name)).toEqual([TAG, 'v1.0.0'])
    expect(gh.violations).toEqual([])
  })

  it('does not find a draft by its tag, which a draft does not have yet', async () => {
    gh.addRelease({ tag: TAG, draft: true })

    const missing = await failure(octokit.rest.repos.getReleaseByTag({ ...repo, tag: TAG }))

    expect(missing.status).toBe(404)
  })
})

describe('uploading assets', () => {
  it('takes the bytes on the upload host that upload_url names, not on the API host', async () => {
    const release = await createRelease()
    const video = Buffer.from('not really an mp4, but bytes all the same')

    const { status, data: asset } = await upload(release, 'intro.mp4', video)

    expect(release.upload_url).toBe(
      `${gh.uploadsUrl}/repos/Codertocat/Hello-World/releases/${release.id}/assets{?name,label}`
    )
    expect(gh.uploadsUrl).not.toBe(gh.url)
    expect(status).toBe(201)
    expect(asset).toMatchObject({
      name: 'intro.mp4',
      label: null,
      state: 'uploaded',
      content_type: 'video/mp4',
      size: video.length,
      digest: `sha256:${sha256(video)}`,
      url: `${gh.url}/repos/Codertocat/Hello-World/releases/assets/${asset.id}`,
      browser_download_url: `https://github.com/Codertocat/Hello-World/releases/download/${TAG}/intro.mp4`,
      uploader: { login: 'github-actions[bot]' }
    })
    expect(gh.assetBytes(asset.id)).toEqual(video)
    const uploaded = gh.requests.find(r => r.method === 'POST' && r.host === 'uploads')
    expect(uploaded).toMatchObject({
      path: `/repos/Codertocat/Hello-World/releases/${release.id}/assets`,
      route: 'POST /repos/{owner}/{repo}/releases/{release_id}/assets',
      query: { name: 'intro.mp4' },
      headers: { 'content-type': 'video/mp4', 'content-length': String(video.length) },
      status: 201
    })
    expect(gh.violations).toEqual([])
  })

  it('keeps the label and content type of each asset beside its bytes', async () => {
    const release = await createRelease()
    const manifest = Buffer.from('{"videos":[]}')

    await octokit.rest.repos.uploadReleaseAsset({
      ...repo,
      release_id: release.id,
      url: release.upload_url,
      name: 'manifest.json',
      label: 'Manifest of the avatar videos',
      data: manifest as unknown as string,
      headers: { 'content-type': 'application/json', 'content-length': manifest.length }
    })

    expect(gh.releases()[0]?.assets).toEqual([
      expect.objectContaining({
        name: 'manifest.json',
        label: 'Manifest of the avatar videos',
        content_type: 'application/json',
        size: manifest.length,
        sha256: sha256(manifest),
        bytes: manifest
      })
    ])
  })

  it('refuses a second asset of the same name, so replacing means delete then upload', async () => {
    const release = await createRelease()
    const { data: first } = await upload(release, 'intro.mp4', Buffer.from('first render'))

    const refused = await failure(upload(release, 'intro.mp4', Buffer.from('second render')))
    await octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: first.id })
    const { data: second } = await upload(release, 'intro.mp4', Buffer.from('second render'))

    expect(refused).toEqual({
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
        documentation_url: 'https://docs.github.com/rest/releases/assets#upload-a-release-asset',
        status: '422'
      }
    })
    expect(second.id).not.toBe(first.id)
    expect(gh.releases()[0]?.assets.map(a => a.bytes?.toString())).toEqual(['second render'])
    const gone = await failure(octokit.rest.repos.getReleaseAsset({ ...repo, asset_id: first.id }))
    expect(gone.status).toBe(404)
    expect(gh.violations).toEqual([])
  })

  it('renames a name with special characters as GitHub does, and records the name asked for', async () => {
    const release = await createRelease()

    const { data } = await upload(release, 'standup 10:30 (take 2).mp4', Buffer.from('v'))

    expect(data.name).toBe('standup.10.30.take.2.mp4')
    expect(data.browser_download_url).toBe(
      `https://github.com/Codertocat/Hello-World/releases/download/${TAG}/standup.10.30.take.2.mp4`
    )
    expect(gh.releases()[0]?.assets[0]).toMatchObject({
      name: 'standup.10.30.take.2.mp4',
      requested_name: 'standup 10:30 (take 2).mp4'
    })
    // Two names GitHub stores alike collide.
    const refused = await failure(upload(release, 'standup 10:30 [take 2].mp4', Buffer.from('w')))
    expect(refused.status).toBe(422)
  })

  it('refuses the 1001st asset of a release, as GitHub has since July 2025', async () => {
    const assets = Array.from({ length: 1000 }, (_, i) => ({ name: `video-${i}.mp4`, data: 'v' }))
    const release = gh.addRelease({ tag: TAG, make_latest: 'false', assets })

    const refused = await failure(upload(release, 'one-more.mp4', Buffer.from('v')))

    expect(refused).toEqual({
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'ReleaseAsset',
            code: 'custom',
            field: 'file_count',
            message: 'file_count limited to 1000 assets'
          }
        ],
        documentation_url: 'https://docs.github.com/rest/releases/assets#upload-a-release-asset',
        status: '422'
      }
    })
    expect(gh.releases()[0]?.assets).toHaveLength(1000)
  })

  it('answers 404 for an upload to a release that does not exist', async () => {
    const release = await createRelease()
    const elsewhere = { id: 1, upload_url: release.upload_url.replace(`/${release.id}/`, '/1/') }

    const refused = await failure(upload(elsewhere, 'intro.mp4', Buffer.from('v')))

    expect(refused.status).toBe(404)
  })

  it('counts and hashes large uploads without keeping them when told to keep no bytes', async () => {
    await restart({ keepAssetBytes: false })
    const release = await createRelease()
    const video = Buffer.alloc(3 * 1024 * 1024, 7)

    const { data } = await upload(release, 'long.mp4', video)

    expect(data).toMatchObject({ size: video.length, digest: `sha256:${sha256(video)}` })
    const [stored] = gh.releases()[0]?.assets ?? []
    expect(stored).toMatchObject({ size: video.length, sha256: sha256(video) })
    expect(stored).not.toHaveProperty('bytes')
    expect(gh.assetBytes(data.id)).toBeUndefined()
  })
})

describe('listing and downloading assets', () => {
  it('lists 75 assets over pages with the Link headers GitHub sends', async () => {
    const assets = Array.from({ length: 75 }, (_, i) => ({
      name: `video-${String(i).padStart(2, '0')}.mp4`,
      data: `video ${i}`
    }))
    const release = gh.addRelease({ tag: TAG, assets })

    const first = await octokit.rest.repos.listReleaseAssets({ ...repo, release_id: release.id })
    const all = await octokit.paginate(octokit.rest.repos.listReleaseAssets, {
      ...repo,
      release_id: release.id,
      per_page: 50
    })

    expect(first.data).toHaveLength(30)
    expect(first.headers.link).toBe(
      `<${gh.url}/repositories/186853002/releases/${release.id}/assets?page=2>; rel="next", ` +
        `<${gh.url}/repositories/186853002/releases/${release.id}/assets?page=3>; rel="last"`
    )
    expect(all.map(asset => asset.name)).toEqual(assets.map(asset => asset.name))
    expect(gh.violations).toEqual([])
  })

  it('answers JSON by default and the bytes, through a redirect, to application/octet-stream', async () => {
    const release = await createRelease()
    const video = Buffer.from([0, 1, 2, 250, 251, 252])
    const { data: asset } = await upload(release, 'intro.mp4', video)

    const metadata = await octokit.rest.repos.getReleaseAsset({ ...repo, asset_id: asset.id })
    const download = await octokit.rest.repos.getReleaseAsset({
      ...repo,
      asset_id: asset.id,
      headers: { accept: 'application/octet-stream' }
    })

    expect(metadata.data).toMatchObject({ id: asset.id, name: 'intro.mp4' })
    expect(download.status).toBe(200)
    expect(Buffer.from(download.data as unknown as ArrayBuffer)).toEqual(video)
    expect(gh.violations).toEqual([])
  })

  it('redirects to a signed storage link that needs no token and refuses a forged one', async () => {
    const release = await createRelease()
    const { data: asset } = await upload(release, 'intro.mp4', Buffer.from('bytes'))

    const redirect = await fetch(
      `${gh.url}/repos/Codertocat/Hello-World/releases/assets/${asset.id}`,
      {
        headers: {
          accept: 'application/octet-stream',
          authorization: 'token ghs_standin',
          'user-agent': 'test'
        },
        redirect: 'manual'
      }
    )
    const location = redirect.headers.get('location') ?? ''
    const signed = await fetch(location)
    const forged = await fetch(location.replace(/sig=[^&]+/, 'sig=forged'))

    expect(redirect.status).toBe(302)
    expect(location.startsWith(`${gh.uploadsUrl}/`)).toBe(true)
    expect(signed.status).toBe(200)
    expect(signed.headers.get('content-type')).toBe('application/octet-stream')
    expect(Buffer.from(await signed.arrayBuffer()).toString()).toBe('bytes')
    expect(forged.status).toBe(403)
  })
})

describe('permissions and injected failures', () => {
  it('lets a read-only token read releases but not create, upload or delete', async () => {
    await restart({ readOnly: true })
    const seeded = gh.addRelease({ tag: TAG, assets: [{ name: 'intro.mp4', data: 'v' }] })
    const assetId = seeded.assets[0]?.id ?? 0

    const found = await octokit.rest.repos.getReleaseByTag({ ...repo, tag: TAG })
    const refusals = [
      await failure(octokit.rest.repos.createRelease({ ...repo, tag_name: 'other' })),
      await failure(upload(seeded, 'outro.mp4', Buffer.from('v'))),
      await failure(octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: assetId }))
    ]

    expect(found.data.assets).toHaveLength(1)
    for (const refused of refusals) {
      expect(refused.status).toBe(403)
      expect(refused.body).toMatchObject({ message: 'Resource not accessible by integration' })
    }
    expect(gh.releases().map(r => r.assets.length)).toEqual([1])
  })

  it('injects a failure on the upload host, leaving the open asset GitHub documents', async () => {
    const release = await createRelease()
    gh.inject({ host: 'uploads', status: 502, leavesOpenAsset: true })

    const failed = await failure(upload(release, 'intro.mp4', Buffer.from('v')))
    const retried = await failure(upload(release, 'intro.mp4', Buffer.from('v')))
    const { data: listed } = await octokit.rest.repos.listReleaseAssets({
      ...repo,
      release_id: release.id
    })

    expect(failed.status).toBe(502)
    expect(retried.status).toBe(422)
    expect(listed).toEqual([
      expect.objectContaining({ name: 'intro.mp4', state: 'open', size: 0, digest: null })
    ])
    expect(gh.violations).toEqual([])
  })

  it('injects an answer on an API release route like on the others', async () => {
    gh.inject({ method: 'GET', path: '/repos/{owner}/{repo}/releases/tags/{tag}', status: 500 })

    const failed = await failure(octokit.rest.repos.getReleaseByTag({ ...repo, tag: TAG }))

    expect(failed.status).toBe(500)
  })
})

describe('checking release requests against GitHub description', () => {
  it('flags an upload sent to the API host instead of the upload host', async () => {
    const release = await createRelease()

    await failure(
      upload(
        {
          id: release.id,
          upload_url: `${gh.url}/repos/Codertocat/Hello-World/releases/${release.id}/assets{?name,label}`
        },
        'intro.mp4',
        Buffer.from('v')
      )
    )

    expect(gh.violations).toEqual([
      `POST /repos/Codertocat/Hello-World/releases/${release.id}/assets: GitHub takes uploads on the host upload_url names, not the API host`
    ])
  })

  it('flags an upload without a name, a Content-Type or a Content-Length', async () => {
    const release = await createRelease()
    const base = `${gh.uploadsUrl}/repos/Codertocat/Hello-World/releases/${release.id}/assets`
    const headers = { authorization: 'token ghs_standin', 'user-agent': 'test' }
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('bytes'))
        controller.close()
      }
    })

    const answers = [
      await fetch(base, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'video/mp4' },
        body: 'bytes'
      }),
      await fetch(`${base}?name=a.mp4`, { method: 'POST', headers, body: Buffer.from('bytes') }),
      await fetch(`${base}?name=b.mp4`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'video/mp4' },
        body: chunked,
        duplex: 'half'
      } as RequestInit)
    ]

    expect(answers.map(answer => answer.status)).toEqual([422, 400, 400])
    expect(await answers[1]?.json()).toMatchObject({ message: "Invalid Content-Type: ''" })
    expect(await answers[2]?.json()).toMatchObject({ message: 'Bad Content-Length: ' })
    const path = `/repos/Codertocat/Hello-World/releases/${release.id}/assets`
    expect(gh.violations).toEqual([
      "POST /repos/{owner}/{repo}/releases/{release_id}/assets query: (root) must have required property 'name'",
      `POST ${path}: no Content-Type header, which GitHub requires`,
      `POST ${path}: no Content-Length header, which GitHub requires`
    ])
    expect(gh.releases()[0]?.assets).toEqual([])
  })

  it('flags a misspelled release field and answers it with 422', async () => {
    const refused = await failure(
      octokit.request('POST /repos/{owner}/{repo}/releases', {
        ...repo,
        tag_name: TAG,
        make_latest: false
      } as never)
    )

    expect(refused.status).toBe(422)
    expect(gh.violations).toEqual([
      'POST /repos/{owner}/{repo}/releases body: /make_latest must be string',
      'POST /repos/{owner}/{repo}/releases body: /make_latest must be equal to one of the allowed values'
    ])
    expect(gh.releases()).toEqual([])
  })
})

describe("GitHub's asset names", () => {
  it.each([
    ['intro.mp4', 'intro.mp4'],
    ['my video.mp4', 'my.video.mp4'],
    ['tobwen-1.1.0-1~buster_amd64.deb', 'tobwen-1.1.0-1.buster_amd64.deb'],
    ['app.prod-v1.3.0-(15-5)-6064eac-release.apk', 'app.prod-v1.3.0-.15-5.-6064eac-release.apk'],
    [
      "a5_ !#$%&'()+,-.0123456789;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{}~.txt",
      'a5_.-.0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ._.abcdefghijklmnopqrstuvwxyz.txt'
    ],
    ['a5_ð_æ_©_ŋ.txt', 'a5_d_ae_._ng.txt'],
    ['.config', 'default.config'],
    ['café.mp4', 'cafe.mp4']
  ])('stores %j as %j', (requested, stored) => {
    expect(githubAssetName(requested)).toBe(stored)
  })
})
