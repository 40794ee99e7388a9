import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { zipSync } from 'fflate'
import { startArtifactService, type ArtifactStandIn } from '../../stand-ins/artifact.js'

// The client logs every request through @actions/core; keep the test output readable.
const core = await import('@actions/core')
jest.unstable_mockModule('@actions/core', () => ({
  ...core,
  debug: jest.fn(),
  info: jest.fn(),
  warning: jest.fn(),
  setSecret: jest.fn()
}))
// Imported before any ACTIONS_* variable is set: the client reads them on each call, not on import.
const { DefaultArtifactClient } = await import('@actions/artifact')

const video = await readFile(new URL('../../stand-ins/media/video.mp4', import.meta.url))
const thumbnail = await readFile(new URL('../../stand-ins/media/thumbnail.jpg', import.meta.url))
const savedEnv = { ...process.env }

let svc: ArtifactStandIn
let workspace: string

beforeEach(async () => {
  svc = await startArtifactService()
  Object.assign(process.env, svc.env)
  workspace = await mkdtemp(join(tmpdir(), 'artifact-stand-in-'))
})

afterEach(async () => {
  await svc.close()
  await rm(workspace, { recursive: true, force: true })
})

afterAll(() => {
  process.env = savedEnv
})

/** Writes files under the workspace and returns their absolute paths. */
async function writeFiles(files: Record<string, Buffer | string>): Promise<string[]> {
  return Promise.all(
    Object.entries(files).map(async ([path, bytes]) => {
      const file = join(workspace, path)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, bytes)
      return file
    })
  )
}

async function upload(name: string, files: Record<string, Buffer | string>) {
  return new DefaultArtifactClient().uploadArtifact(name, await writeFiles(files), workspace)
}

/** One Twirp call with the stand-in's token and backend ids unless overridden. */
async function twirp(method: string, body: object, token = svc.runtimeToken) {
  const url = new URL(
    `twirp/github.actions.results.api.v1.ArtifactService/${method}`,
    svc.resultsUrl
  )
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      workflow_run_backend_id: svc.runBackendId,
      workflow_job_run_backend_id: svc.jobBackendId,
      ...body
    })
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const manifest = JSON.stringify([{ file: 'videos/intro.md', status: 'success' }])

describe('artifact service stand-in, driven by the real @actions/artifact client', () => {
  it('keeps an uploaded artifact whose files a test can read back by path', async () => {
    const result = await upload('avatar-videos', {
      'manifest.json': manifest,
      'videos/intro.mp4': video,
      'videos/intro.jpg': thumbnail
    })

    expect(svc.artifacts).toHaveLength(1)
    const [artifact] = svc.artifacts
    expect(artifact).toMatchObject({ id: result.id, name: 'avatar-videos', size: result.size })
    expect(artifact?.digest).toBe(`sha256:${result.digest}`)
    const files = artifact!.files()
    expect([...files.keys()].sort()).toEqual([
      'manifest.json',
      'videos/intro.jpg',
      'videos/intro.mp4'
    ])
    expect(files.get('manifest.json')?.toString('utf8')).toBe(manifest)
    expect(files.get('videos/intro.mp4')?.equals(video)).toBe(true)
    expect(files.get('videos/intro.jpg')?.equals(thumbnail)).toBe(true)
  })

  it('lets the client find and download what it uploaded, by name among others', async () => {
    const { id } = await upload('avatar-videos', { 'videos/intro.mp4': video })
    await upload('logs', { 'run.log': 'later, so newest' })
    const client = new DefaultArtifactClient()

    const { artifact } = await client.getArtifact('avatar-videos')
    expect(artifact).toMatchObject({ id, name: 'avatar-videos', size: svc.artifacts[0]?.size })
    const downloadPath = join(workspace, 'download')
    await client.downloadArtifact(artifact.id, { path: downloadPath })
    expect((await readFile(join(downloadPath, 'videos/intro.mp4'))).equals(video)).toBe(true)
  })

  it('round-trips a 20 MB upload sent in several blocks', async () => {
    const big = randomBytes(20 * 1024 * 1024)

    await upload('big', { 'videos/big.mp4': big })

    const blockPuts = svc.calls.filter(call => call.operation === 'PutBlock')
    expect(blockPuts.length).toBeGreaterThanOrEqual(3)
    expect(svc.calls.filter(call => call.operation === 'PutBlockList')).toHaveLength(1)
    expect(svc.artifacts[0]?.files().get('videos/big.mp4')?.equals(big)).toBe(true)
  })

  it('refuses a second artifact of the same name in the run until the first is deleted', async () => {
    await upload('avatar-videos', { 'manifest.json': 'first' })

    await expect(upload('avatar-videos', { 'manifest.json': 'second' })).rejects.toThrow(
      /\(409\) Conflict: an artifact with this name already exists on the workflow run/
    )
    await new DefaultArtifactClient().deleteArtifact('avatar-videos')
    const third = await upload('avatar-videos', { 'manifest.json': 'third' })

    expect(svc.artifacts.map(artifact => artifact.id)).toEqual([third.id])
    expect(svc.artifacts[0]?.files().get('manifest.json')?.toString()).toBe('third')
  })

  it('keeps the name of an upload that never finalized taken, and unlisted, like github.com', async () => {
    svc.inject({ operation: 'FinalizeArtifact', status: 403 })

    await expect(upload('avatar-videos', { 'manifest.json': manifest })).rejects.toThrow(
      /FinalizeArtifact.*\(403\)/
    )
    await expect(upload('avatar-videos', { 'manifest.json': manifest })).rejects.toThrow(/\(409\)/)
    await expect(new DefaultArtifactClient().deleteArtifact('avatar-videos')).rejects.toThrow(
      /Artifact not found/
    )
    expect(svc.artifacts).toEqual([])
  })

  it('answers CreateArtifact with the status given as failCreate, before any blob is sent', async () => {
    await svc.close()
    svc = await startArtifactService({ failCreate: 403 })
    Object.assign(process.env, svc.env)

    await expect(upload('avatar-videos', { 'manifest.json': manifest })).rejects.toThrow(
      /CreateArtifact.*\(403\)/
    )
    expect(svc.calls.map(call => `${call.operation} ${call.status}`)).toEqual([
      'CreateArtifact 403'
    ])
  })

  it('refuses a runtime token that is not its own', async () => {
    const [header, claims] = svc.runtimeToken.split('.')
    process.env.ACTIONS_RUNTIME_TOKEN = `${header}.${claims}.forged`

    await expect(upload('avatar-videos', { 'manifest.json': manifest })).rejects.toThrow(/\(401\)/)
    expect(svc.artifacts).toEqual([])
  })
})

describe('artifact service stand-in, one run with several jobs', () => {
  /** Makes the client act as `job` from now on, as its own runner would set it up. */
  const actAs = (job: { env: Record<string, string> }) => Object.assign(process.env, job.env)

  it("lets a later job list every job's artifacts and download another job's", async () => {
    const shard = svc.newJob()
    actAs(shard)
    const { id } = await upload('avatar-videos-1-of-2-manifest', { 'shard.json': manifest })
    actAs(svc.newJob())
    await upload('avatar-videos-2-of-2-manifest', { 'shard.json': '[]' })
    const aggregate = svc.newJob()
    actAs(aggregate)
    const client = new DefaultArtifactClient()

    const { artifacts } = await client.listArtifacts({ latest: true })
    expect(artifacts.map(a => a.name).sort()).toEqual([
      'avatar-videos-1-of-2-manifest',
      'avatar-videos-2-of-2-manifest'
    ])
    const downloadPath = join(workspace, 'reports', '1')
    await client.downloadArtifact(id!, { path: downloadPath })

    expect(await readFile(join(downloadPath, 'shard.json'), 'utf8')).toBe(manifest)
    // The download named the job that uploaded the artifact, as the real client does; the blob
    // was read through a URL that signs reads only.
    const signed = svc.calls.filter(call => call.operation === 'GetSignedArtifactURL')
    expect(signed.map(call => [call.job, call.status])).toEqual([[aggregate.jobBackendId, 200]])
    expect(svc.artifacts.find(a => a.id === id)?.jobBackendId).toBe(shard.jobBackendId)
    expect(
      svc.calls.filter(call => call.operation === 'GetBlob').map(call => call.artifact)
    ).toEqual(['avatar-videos-1-of-2-manifest'])
  })

  it('keeps an artifact name taken across all the jobs of the run', async () => {
    actAs(svc.newJob())
    await upload('avatar-videos-1-of-2', { 'manifest.json': manifest })
    actAs(svc.newJob())

    await expect(upload('avatar-videos-1-of-2', { 'manifest.json': manifest })).rejects.toThrow(
      /\(409\) Conflict/
    )
  })

  it("finds another job's artifact only under that job, as the service does", async () => {
    const shard = svc.newJob()
    actAs(shard)
    await upload('avatar-videos-1-of-2-manifest', { 'shard.json': manifest })
    const aggregate = svc.newJob()
    const ask = (method: string, job: string) =>
      twirp(
        method,
        { name: 'avatar-videos-1-of-2-manifest', workflow_job_run_backend_id: job },
        aggregate.runtimeToken
      )

    expect(await ask('GetSignedArtifactURL', aggregate.jobBackendId)).toMatchObject({
      status: 404,
      body: { code: 'not_found' }
    })
    const signed = await ask('GetSignedArtifactURL', shard.jobBackendId)
    expect(signed.status).toBe(200)
    // Listing and creating act for the caller's own job only.
    expect(await ask('ListArtifacts', shard.jobBackendId)).toMatchObject({
      status: 403,
      body: { code: 'permission_denied' }
    })
    expect(await ask('CreateArtifact', shard.jobBackendId)).toMatchObject({
      status: 403,
      body: { code: 'permission_denied' }
    })
    const download = await fetch(String(signed.body.signed_url))
    expect(download.status).toBe(200)
  })

  it("lets no job finalize another job's upload", async () => {
    const first = svc.newJob()
    const second = svc.newJob()
    const created = await twirp(
      'CreateArtifact',
      { name: 'half-done', workflow_job_run_backend_id: first.jobBackendId },
      first.runtimeToken
    )
    expect(created.status).toBe(200)

    expect(
      await twirp(
        'FinalizeArtifact',
        { name: 'half-done', size: '0', workflow_job_run_backend_id: second.jobBackendId },
        second.runtimeToken
      )
    ).toMatchObject({ status: 404, body: { code: 'not_found' } })
  })

  it('refuses a download through the upload URL, and an upload through the download URL', async () => {
    const created = await twirp('CreateArtifact', { name: 'avatar-videos' })
    const uploadUrl = String(created.body.signed_upload_url)
    const zip = Buffer.from(zipSync({ 'manifest.json': Buffer.from(manifest) }))
    await fetch(uploadUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: zip })
    await twirp('FinalizeArtifact', { name: 'avatar-videos', size: String(zip.length) })
    const signed = await twirp('GetSignedArtifactURL', { name: 'avatar-videos' })
    const downloadUrl = String(signed.body.signed_url)

    expect((await fetch(uploadUrl)).status).toBe(403)
    const overwrite = await fetch(downloadUrl, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'x'
    })
    expect(overwrite.status).toBe(403)
    expect(Buffer.from(await (await fetch(downloadUrl)).arrayBuffer()).equals(zip)).toBe(true)
  })

  it('passes an injected ListArtifacts fault to the client', async () => {
    await upload('avatar-videos-1-of-1-manifest', { 'shard.json': manifest })
    svc.inject({ operation: 'ListArtifacts', status: 403, message: 'no actions: read' })

    await expect(new DefaultArtifactClient().listArtifacts()).rejects.toThrow(/\(403\)/)
    expect((await new DefaultArtifactClient().listArtifacts()).artifacts).toHaveLength(1)
  })
})

describe('artifact service stand-in, keeping uploads on disk', () => {
  let storeDir: string

  beforeEach(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'artifact-store-'))
    await svc.close()
    svc = await startArtifactService({ storeDir })
    Object.assign(process.env, svc.env)
  })

  afterEach(async () => {
    await rm(storeDir, { recursive: true, force: true })
  })

  /** Bytes in files under storeDir, which the stand-in writes instead of holding them. */
  async function bytesOnDisk(): Promise<number> {
    const entries = await readdir(storeDir, { recursive: true, withFileTypes: true })
    const files = entries.filter(entry => entry.isFile())
    const sizes = await Promise.all(files.map(f => stat(join(f.parentPath, f.name))))
    return sizes.reduce((total, { size }) => total + size, 0)
  }

  it('writes a multi-block upload to files, serves it back, and removes them on close', async () => {
    const big = randomBytes(20 * 1024 * 1024)

    const { id } = await upload('big', { 'manifest.json': manifest, 'videos/big.mp4': big })

    const [artifact] = svc.artifacts
    expect(svc.calls.filter(call => call.operation === 'PutBlock').length).toBeGreaterThan(1)
    expect(await bytesOnDisk()).toBe(artifact?.size)
    expect(artifact?.files().get('videos/big.mp4')?.equals(big)).toBe(true)
    const downloadPath = join(workspace, 'download')
    await new DefaultArtifactClient().downloadArtifact(id!, { path: downloadPath })
    expect((await readFile(join(downloadPath, 'videos/big.mp4'))).equals(big)).toBe(true)

    await svc.close()
    expect(await readdir(storeDir)).toEqual([])
  })

  it('deletes the files of a deleted artifact', async () => {
    await upload('avatar-videos', { 'videos/intro.mp4': video })
    expect(await bytesOnDisk()).toBe(svc.artifacts[0]?.size)

    await new DefaultArtifactClient().deleteArtifact('avatar-videos')

    expect(await bytesOnDisk()).toBe(0)
  })
})

describe('artifact service stand-in, at the protocol level', () => {
  it('answers errors in Twirp shape and checks the backend ids against the token', async () => {
    expect(await twirp('CreateArtifact', { name: 'a' }, 'not-the-token')).toMatchObject({
      status: 401,
      body: { code: 'unauthenticated' }
    })
    expect(
      await twirp('CreateArtifact', { name: 'a', workflow_run_backend_id: 'another-run' })
    ).toMatchObject({ status: 403, body: { code: 'permission_denied' } })
    expect(await twirp('FinalizeArtifact', { name: 'never-created', size: '1' })).toMatchObject({
      status: 404,
      body: { code: 'not_found' }
    })
  })

  it('assembles blocks in block-list order and accepts a single-shot blob upload', async () => {
    const zip = Buffer.from(zipSync({ 'manifest.json': Buffer.from(manifest) }))
    const half = Math.floor(zip.length / 2)
    const blocks = [
      ['YmxvY2stMQ==', zip.subarray(0, half)],
      ['YmxvY2stMg==', zip.subarray(half)]
    ] as const

    const blocked = await twirp('CreateArtifact', { name: 'in-blocks' })
    const blockUrl = String(blocked.body.signed_upload_url)
    for (const [id, bytes] of [...blocks].reverse()) {
      const put = await fetch(`${blockUrl}&comp=block&blockid=${encodeURIComponent(id)}`, {
        method: 'PUT',
        body: bytes
      })
      expect(put.status).toBe(201)
    }
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${blocks.map(([id]) => `<Latest>${id}</Latest>`).join('')}</BlockList>`
    const committed = await fetch(`${blockUrl}&comp=blocklist`, { method: 'PUT', body: list })
    expect(committed.status).toBe(201)
    expect(committed.headers.get('etag')).toBeTruthy()

    const single = await twirp('CreateArtifact', { name: 'single-shot' })
    const put = await fetch(String(single.body.signed_upload_url), {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: zip
    })
    expect(put.status).toBe(201)

    for (const name of ['in-blocks', 'single-shot']) {
      const finalized = await twirp('FinalizeArtifact', { name, size: String(zip.length) })
      expect(finalized.body).toMatchObject({ ok: true })
    }
    expect(svc.artifacts.map(artifact => artifact.zip.equals(zip))).toEqual([true, true])
  })

  it('refuses a blob write whose signature is not the one it handed out', async () => {
    const created = await twirp('CreateArtifact', { name: 'avatar-videos' })
    const url = new URL(String(created.body.signed_upload_url))
    url.searchParams.set('sig', 'guessed')

    const put = await fetch(url, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'x'
    })

    expect(put.status).toBe(403)
    expect(put.headers.get('x-ms-error-code')).toBe('AuthenticationFailed')
  })
})
