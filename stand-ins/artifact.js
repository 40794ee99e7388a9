// Loopback stand-in of the GitHub Actions artifact service: the results Twirp API and the Azure blob
// endpoint behind its signed URLs, enough for the real @actions/artifact client to upload, list,
// download and delete artifacts, and for tests to read back what was uploaded. One workflow run,
// with as many jobs as a test starts (a matrix and the job that `needs:` it): each job has its own
// runtime token, sees every artifact of the run, and reads another job's artifact the way the
// client does, naming that job. Uploaded bytes stay in memory, or in files under `storeDir` when a
// bench moves gigabytes.

import { createServer } from 'node:http'
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { unzipSync } from 'fflate'

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'
// An IP host makes the Azure SDK read the path as /account/container/blob, as with Azurite.
const BLOB_PREFIX = '/devstoreaccount1/actions-results/'
const AZURE_VERSION = '2026-04-06'

/**
 * Twirp error codes and the HTTP status each travels with (twitchtv/twirp's spec). An injected
 * fault uses the first code listed for its status.
 */
const TWIRP_STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unimplemented: 501,
  unavailable: 503,
  deadline_exceeded: 504
}

/** Azure error codes used for injected blob faults, by status. */
const AZURE_CODE = {
  400: 'InvalidInput',
  403: 'AuthenticationFailed',
  404: 'BlobNotFound',
  409: 'BlobAlreadyExists',
  500: 'InternalError',
  503: 'ServerBusy'
}

/**
 * @typedef {'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL'
 *   | 'DeleteArtifact' | 'PutBlock' | 'PutBlockList' | 'PutBlob' | 'GetBlob'} Operation
 *
 * @typedef {object} UploadedArtifact a finalized artifact, as the run holds it
 * @property {number} id the artifact id (the service sends it as an int64 string)
 * @property {string} name
 * @property {string} jobBackendId the job that uploaded it
 * @property {number} size bytes of the zip
 * @property {string} digest `sha256:<hex>` of the zip
 * @property {Buffer} zip read into memory on each access (from disk with `storeDir`)
 * @property {() => Map<string, Buffer>} files path inside the zip → bytes (directories left out)
 *
 * @typedef {object} Call one request the stand-in answered
 * @property {string} method HTTP method
 * @property {string} path path and query as received
 * @property {Operation | 'unknown'} operation
 * @property {number} status
 * @property {string | null} job the job whose runtime token made a Twirp call; null for blob calls
 *   (a signed URL names no job) and for a token the stand-in did not issue
 * @property {string | null} artifact the name of the artifact a blob call read or wrote
 *
 * @typedef {object} Job one job of the run, as its runner sets it up
 * @property {string} jobBackendId the job id inside its token
 * @property {string} runtimeToken JWT naming the run and this job, for ACTIONS_RUNTIME_TOKEN
 * @property {{ ACTIONS_RUNTIME_TOKEN: string, ACTIONS_RESULTS_URL: string }} env
 *
 * @typedef {object} Fault answers the next `times` requests of `operation` with an error
 * @property {Operation} operation
 * @property {number} status HTTP status; 5xx and 429 are retried by the client (Twirp: 5 attempts
 *   from 3 s apart, blob: Azure's policy from 4 s apart), so a lasting one costs tens of seconds
 * @property {string} [message] e.g. containing `insufficient usage`, which the client turns into
 *   its storage-quota UsageError
 * @property {number} [times] default 1; `Infinity` for every request
 *
 * @typedef {object} ArtifactServiceOptions
 * @property {number} [failCreate] HTTP status that every CreateArtifact answers
 * @property {string} [storeDir] keep uploaded bytes in files under this folder (in a subfolder of
 *   it that `close` removes) instead of in memory, so that gigabytes can pass through
 *
 * @typedef {object} ArtifactStandIn
 * @property {string} resultsUrl `http://127.0.0.1:PORT/`, for ACTIONS_RESULTS_URL
 * @property {string} runtimeToken JWT naming this run and its first job, for ACTIONS_RUNTIME_TOKEN
 * @property {string} runBackendId the run id inside the token
 * @property {string} jobBackendId the first job's id inside the token
 * @property {{ ACTIONS_RUNTIME_TOKEN: string, ACTIONS_RESULTS_URL: string }} env what the client
 *   reads, for the first job; it also refuses to run (GHESNotSupportedError) when GITHUB_SERVER_URL
 *   names a host other than github.com, *.ghe.com or *.localhost, so leave that one unset or
 *   https://github.com
 * @property {() => Job} newJob another job of the same run (a shard, the job that aggregates)
 * @property {UploadedArtifact[]} artifacts finalized and not deleted, oldest first
 * @property {Call[]} calls
 * @property {(fault: Fault) => void} inject
 * @property {() => Promise<void>} close
 *
 * @typedef {object} StoredBlob the Azure block blob behind one artifact's signed URLs
 * @property {string} key
 * @property {string} sig signs the upload URL: writes only
 * @property {string} readSig signs the download URL: reads only
 * @property {string} artifact the name of the artifact it holds
 * @property {Map<string, Part>} blocks staged and not yet committed
 * @property {Content | null} data committed content
 * @property {string} contentType
 * @property {string} etag
 * @property {Date} lastModified
 *
 * @typedef {object} Entry an artifact of the run, from CreateArtifact on
 * @property {number} id
 * @property {string} name
 * @property {string} jobBackendId the job that created it
 * @property {Date} createdAt
 * @property {StoredBlob} blob
 * @property {UploadedArtifact | null} artifact set once finalized
 *
 * @typedef {object} Part the body of one blob write: a staged block or a whole blob
 * @property {number} size
 * @property {() => Buffer} read all of it, into memory
 * @property {() => Readable} stream
 * @property {() => void} discard frees its memory or file
 *
 * @typedef {object} Content a committed blob: the parts it is made of, in order
 * @property {Part[]} parts
 * @property {number} size
 * @property {string} digest `sha256:<hex>`
 *
 * @typedef {{ status: number, headers?: Record<string, string>,
 *   body?: Buffer | string | Readable }} Reply
 */

/**
 * Starts the service on an ephemeral loopback port.
 * @param {ArtifactServiceOptions} [options]
 * @returns {Promise<ArtifactStandIn>}
 */
export async function startArtifactService(options = {}) {
  const runBackendId = randomUUID()
  /** @type {Map<string, string>} runtime token → the job it was issued to */
  const tokens = new Map()
  const newJobIds = () => {
    const jobBackendId = randomUUID()
    const runtimeToken = runtimeTokenFor(runBackendId, jobBackendId)
    tokens.set(runtimeToken, jobBackendId)
    return { jobBackendId, runtimeToken }
  }
  const { jobBackendId, runtimeToken } = newJobIds()
  const storeDir = options.storeDir
    ? await mkdtemp(path.join(options.storeDir, 'artifact-blobs-'))
    : null
  /** @type {Map<string, Entry>} by name: a created artifact holds its name even unfinalized */
  const entries = new Map()
  /** @type {Map<string, StoredBlob>} */
  const blobs = new Map()
  /** @type {Call[]} */
  const calls = []
  /** @type {Required<Fault>[]} */
  const faults = []
  let nextId = 1001
  let origin = ''

  /** @param {Fault} fault */
  const inject = fault => faults.push({ message: 'injected fault', times: 1, ...fault })
  if (options.failCreate)
    inject({ operation: 'CreateArtifact', status: options.failCreate, times: Infinity })

  /** @param {Operation | 'unknown'} operation */
  const takeFault = operation => {
    const fault = faults.find(f => f.operation === operation)
    if (!fault) return undefined
    fault.times -= 1
    if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1)
    return fault
  }

  /** @param {StoredBlob} blob @param {'write' | 'read'} access */
  const signedUrl = (blob, access) =>
    `${origin}${BLOB_PREFIX}${blob.key}?sig=${access === 'write' ? blob.sig : blob.readSig}`

  /** @param {Entry} entry */
  const listed = entry => ({
    workflow_run_backend_id: runBackendId,
    workflow_job_run_backend_id: entry.jobBackendId,
    database_id: String(entry.id),
    name: entry.name,
    size: String(entry.artifact?.size ?? 0),
    created_at: entry.createdAt.toISOString(),
    digest: entry.artifact?.digest
  })

  /**
   * The finalized artifact `name` of the job the request names: the service finds an artifact by
   * its job and name, so the client names the job it listed the artifact under.
   * @param {{ name?: string, workflow_job_run_backend_id?: string }} body
   */
  const finalizedNamed = body => {
    const entry = body.name === undefined ? undefined : entries.get(body.name)
    return entry?.artifact && entry.jobBackendId === body.workflow_job_run_backend_id
      ? entry
      : undefined
  }

  /**
   * Each call, with the job whose token made it. Creating, finalizing and listing act for the
   * caller's own job; reading and deleting name the job of the artifact they act on.
   * @type {Record<string, (body: any, job: string) => Reply | Promise<Reply>>}
   */
  const rpc = {
    CreateArtifact(body, job) {
      if (body.workflow_job_run_backend_id !== job) return notYourJob()
      const name = body.name
      if (!name) return twirpError('invalid_argument', 'name is required')
      // As on github.com: the name stays taken even if the upload never finalizes.
      if (entries.has(name)) {
        return twirpError(
          'already_exists',
          'an artifact with this name already exists on the workflow run'
        )
      }
      const blob = newBlob(name)
      blobs.set(blob.key, blob)
      entries.set(name, {
        id: nextId++,
        name,
        jobBackendId: job,
        createdAt: new Date(),
        blob,
        artifact: null
      })
      return twirpOk({ ok: true, signed_upload_url: signedUrl(blob, 'write') })
    },

    FinalizeArtifact(body, job) {
      if (body.workflow_job_run_backend_id !== job) return notYourJob()
      const entry = entries.get(body.name)
      // Another job's upload is not this job's to finalize.
      if (!entry || entry.artifact || entry.jobBackendId !== job) {
        return twirpError('not_found', `no artifact named ${body.name} is waiting to be finalized`)
      }
      const zip = entry.blob.data
      if (!zip) return twirpError('failed_precondition', `nothing was uploaded for ${body.name}`)
      if (String(body.size ?? 0) !== String(zip.size)) {
        return twirpError(
          'invalid_argument',
          `size ${body.size} differs from the ${zip.size} bytes uploaded`
        )
      }
      if (body.hash !== undefined && body.hash !== zip.digest) {
        return twirpError(
          'invalid_argument',
          `hash ${body.hash} differs from the upload's ${zip.digest}`
        )
      }
      entry.artifact = uploadedArtifact(entry.id, entry.name, job, zip)
      return twirpOk({ ok: true, artifact_id: String(entry.id) })
    },

    // Every job of the run sees every finalized artifact of the run, each under the job that
    // uploaded it. Only finalized ones: a client cannot find (nor delete) a reserved name.
    ListArtifacts(body, job) {
      if (body.workflow_job_run_backend_id !== job) return notYourJob()
      const matches = [...entries.values()].filter(
        entry =>
          entry.artifact &&
          (body.name_filter === undefined || entry.name === body.name_filter) &&
          (body.id_filter === undefined || String(entry.id) === String(body.id_filter))
      )
      return twirpOk({ artifacts: matches.map(listed) })
    },

    GetSignedArtifactURL(body) {
      const entry = finalizedNamed(body)
      if (!entry) return twirpError('not_found', `artifact ${body.name} not found`)
      return twirpOk({ signed_url: signedUrl(entry.blob, 'read') })
    },

    DeleteArtifact(body) {
      const entry = finalizedNamed(body)
      if (!entry) return twirpError('not_found', `artifact ${body.name} not found`)
      entries.delete(entry.name)
      blobs.delete(entry.blob.key)
      discardBlob(entry.blob)
      return twirpOk({ ok: true, artifact_id: String(entry.id) })
    }
  }

  /**
   * @param {string} method
   * @param {import('node:http').IncomingMessage} req
   * @returns {Promise<Reply>}
   */
  const twirp = async (method, req) => {
    const handler = Object.hasOwn(rpc, method) ? rpc[method] : undefined
    if (req.method !== 'POST' || !handler)
      return twirpError('bad_route', `no route for ${req.method} ${method}`)
    if (!req.headers['content-type']?.startsWith('application/json')) {
      return twirpError('bad_route', 'this stand-in speaks Twirp JSON only')
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const job = token === undefined ? undefined : tokens.get(token)
    if (job === undefined) {
      return twirpError('unauthenticated', 'the runtime token is missing or not this run')
    }
    let body
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'))
    } catch {
      return twirpError('malformed', 'the body is not JSON')
    }
    if (body.workflow_run_backend_id !== runBackendId || !body.workflow_job_run_backend_id) {
      return twirpError('permission_denied', 'the backend ids do not match the runtime token')
    }
    return handler(body, job)
  }

  /**
   * @param {Operation | 'unknown'} operation
   * @param {import('node:http').IncomingMessage} req
   * @param {URL} url
   * @returns {Promise<Reply>}
   */
  const blobRequest = async (operation, req, url) => {
    const blob = blobs.get(url.pathname.slice(BLOB_PREFIX.length))
    if (!blob) return azureError(404, 'BlobNotFound', 'The specified blob does not exist.')
    // The upload URL writes and the download URL reads: neither does the other's work.
    const sig = operation === 'GetBlob' ? blob.readSig : blob.sig
    if (url.searchParams.get('sig') !== sig) {
      return azureError(403, 'AuthenticationFailed', 'The signature of the signed URL is wrong.')
    }
    // Newer Azure SDKs can wrap bodies in CRC64 "structured messages"; say so rather than store them.
    if (req.headers['x-ms-structured-body']) {
      return azureError(
        400,
        'UnsupportedHeader',
        'This stand-in does not decode x-ms-structured-body.'
      )
    }
    switch (operation) {
      case 'PutBlock':
        return putBlock(blob, req, url.searchParams.get('blockid'), storeDir)
      case 'PutBlockList':
        return putBlockList(blob, req)
      case 'PutBlob':
        return putBlob(blob, req, storeDir)
      case 'GetBlob':
        return getBlob(blob, req)
      default:
        return azureError(
          400,
          'UnsupportedHttpVerb',
          `${req.method} ${url.search} is not supported.`
        )
    }
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @returns {{ operation: Operation | 'unknown', job: string | null, artifact: string | null,
   *   handle: () => Promise<Reply> }}
   */
  const route = req => {
    const url = new URL(req.url ?? '/', origin)
    if (url.pathname.startsWith(TWIRP_PREFIX)) {
      const method = url.pathname.slice(TWIRP_PREFIX.length)
      const operation = Object.hasOwn(rpc, method) ? /** @type {Operation} */ (method) : 'unknown'
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      const job = (token !== undefined && tokens.get(token)) || null
      return { operation, job, artifact: null, handle: () => twirp(method, req) }
    }
    if (url.pathname.startsWith(BLOB_PREFIX)) {
      const operation = blobOperation(req.method, url.searchParams.get('comp'))
      const artifact = blobs.get(url.pathname.slice(BLOB_PREFIX.length))?.artifact ?? null
      return { operation, job: null, artifact, handle: () => blobRequest(operation, req, url) }
    }
    return {
      operation: 'unknown',
      job: null,
      artifact: null,
      handle: async () => ({ status: 404, body: 'not found' })
    }
  }

  const server = createServer(async (req, res) => {
    const { operation, job, artifact, handle } = route(req)
    /** @type {Reply} */
    let reply
    try {
      const fault = takeFault(operation)
      reply = fault ? faultReply(operation, fault) : await handle()
    } catch (error) {
      reply = { status: 500, body: String(error) }
    }
    calls.push({
      method: req.method ?? '',
      path: req.url ?? '',
      operation,
      status: reply.status,
      job,
      artifact
    })
    // A fault may answer before the body arrived; drain it so the connection stays usable.
    req.resume()
    res.writeHead(reply.status, reply.headers)
    if (reply.body instanceof Readable) pipeline(reply.body, res).catch(() => {})
    else res.end(reply.body)
  })

  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  origin = `http://127.0.0.1:${address.port}`

  return {
    resultsUrl: `${origin}/`,
    runtimeToken,
    runBackendId,
    jobBackendId,
    env: { ACTIONS_RUNTIME_TOKEN: runtimeToken, ACTIONS_RESULTS_URL: `${origin}/` },
    newJob() {
      const job = newJobIds()
      return {
        ...job,
        env: { ACTIONS_RUNTIME_TOKEN: job.runtimeToken, ACTIONS_RESULTS_URL: `${origin}/` }
      }
    },
    get artifacts() {
      return [...entries.values()].flatMap(entry => (entry.artifact ? [entry.artifact] : []))
    },
    calls,
    inject,
    async close() {
      await new Promise(resolve => {
        server.close(() => resolve(undefined))
        server.closeAllConnections()
      })
      if (storeDir) await rm(storeDir, { recursive: true, force: true })
    }
  }
}

/**
 * A JWT shaped like the runner's: the client only decodes its `scp` claim, so an HS256 signature
 * with a throwaway key is as good as the real one.
 * @param {string} runBackendId
 * @param {string} jobBackendId
 */
function runtimeTokenFor(runBackendId, jobBackendId) {
  const now = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: 'HS256' }
  const claims = {
    scp: `Actions.GenericRead:${randomUUID()} Actions.Results:${runBackendId}:${jobBackendId}`,
    iat: now,
    nbf: now,
    exp: now + 6 * 60 * 60
  }
  const unsigned = [header, claims]
    .map(part => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .join('.')
  const signature = createHmac('sha256', randomBytes(32)).update(unsigned).digest('base64url')
  return `${unsigned}.${signature}`
}

/** @param {string} artifact @returns {StoredBlob} */
function newBlob(artifact) {
  return {
    key: `${randomUUID()}.zip`,
    sig: randomBytes(24).toString('base64url'),
    readSig: randomBytes(24).toString('base64url'),
    artifact,
    blocks: new Map(),
    data: null,
    contentType: '',
    etag: '',
    lastModified: new Date()
  }
}

/**
 * @param {string | undefined} method
 * @param {string | null} comp
 * @returns {Operation | 'unknown'}
 */
function blobOperation(method, comp) {
  if (method === 'GET' && comp === null) return 'GetBlob'
  if (method !== 'PUT') return 'unknown'
  if (comp === 'block') return 'PutBlock'
  if (comp === 'blocklist') return 'PutBlockList'
  return comp === null ? 'PutBlob' : 'unknown'
}

/**
 * @param {StoredBlob} blob
 * @param {import('node:http').IncomingMessage} req
 * @param {string | null} blockId
 * @param {string | null} storeDir
 * @returns {Promise<Reply>}
 */
async function putBlock(blob, req, blockId, storeDir) {
  if (!blockId || !isBlockId(blockId)) {
    return azureError(
      400,
      'InvalidQueryParameterValue',
      `blockid ${blockId} is not base64 of at most 64 bytes.`
    )
  }
  const { part, contentMd5 } = await receivePart(req, storeDir)
  blob.blocks.get(blockId)?.discard()
  blob.blocks.set(blockId, part)
  return {
    status: 201,
    headers: {
      ...azureHeaders(req),
      'content-md5': contentMd5,
      'x-ms-request-server-encrypted': 'true'
    }
  }
}

/**
 * Commits the listed blocks in list order, whatever order they arrived in. Blocks committed by an
 * earlier list are not kept for reuse: the artifact client commits once.
 * @param {StoredBlob} blob
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<Reply>}
 */
async function putBlockList(blob, req) {
  const xml = await readBody(req)
  const ids = [
    ...xml.toString('utf8').matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)
  ].map(match => match[2] ?? '')
  const missing = ids.find(id => !blob.blocks.has(id))
  if (missing !== undefined)
    return azureError(400, 'InvalidBlockList', `Block ${missing} was never uploaded.`)
  const parts = ids.map(id => /** @type {Part} */ (blob.blocks.get(id)))
  commit(blob, await contentOf(parts), req.headers['x-ms-blob-content-type'])
  return {
    status: 201,
    headers: {
      ...azureHeaders(req),
      ...blobHeaders(blob),
      'content-md5': md5(xml),
      'x-ms-request-server-encrypted': 'true'
    }
  }
}

/**
 * @param {StoredBlob} blob
 * @param {import('node:http').IncomingMessage} req
 * @param {string | null} storeDir
 * @returns {Promise<Reply>}
 */
async function putBlob(blob, req, storeDir) {
  if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
    return azureError(400, 'InvalidHeaderValue', 'x-ms-blob-type must be BlockBlob.')
  }
  const { part, contentMd5 } = await receivePart(req, storeDir)
  const contentType = req.headers['x-ms-blob-content-type'] ?? req.headers['content-type']
  commit(blob, await contentOf([part]), contentType)
  return {
    status: 201,
    headers: {
      ...azureHeaders(req),
      ...blobHeaders(blob),
      'content-md5': contentMd5,
      'x-ms-request-server-encrypted': 'true'
    }
  }
}

/**
 * @param {StoredBlob} blob
 * @param {import('node:http').IncomingMessage} req
 * @returns {Reply}
 */
function getBlob(blob, req) {
  const content = blob.data
  if (!content) return azureError(404, 'BlobNotFound', 'The specified blob does not exist.')
  return {
    status: 200,
    headers: {
      ...azureHeaders(req),
      ...blobHeaders(blob),
      'content-type': blob.contentType || 'application/octet-stream',
      'content-length': String(content.size),
      'x-ms-blob-type': 'BlockBlob'
    },
    body: Readable.from(chunksOf(content.parts))
  }
}

/**
 * Replaces the blob's content; Azure drops the uncommitted blocks at that point too.
 * @param {StoredBlob} blob
 * @param {Content} data
 * @param {string | undefined} contentType
 */
function commit(blob, data, contentType) {
  const kept = new Set(data.parts)
  discardBlob(blob, part => !kept.has(part))
  blob.data = data
  blob.blocks.clear()
  blob.contentType = contentType ?? ''
  blob.etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`
  blob.lastModified = new Date()
}

/** @param {string} id */
function isBlockId(id) {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(id) && Buffer.from(id, 'base64').length <= 64
}

/**
 * Frees the blob's committed and staged parts (those `which` picks).
 * @param {StoredBlob} blob
 * @param {(part: Part) => boolean} [which]
 */
function discardBlob(blob, which = () => true) {
  const parts = [...(blob.data?.parts ?? []), ...blob.blocks.values()]
  for (const part of parts) if (which(part)) part.discard()
}

/**
 * Reads a request body into a part, in memory or in a new file under `storeDir`, with its MD5.
 * @param {import('node:http').IncomingMessage} req
 * @param {string | null} storeDir
 * @returns {Promise<{ part: Part, contentMd5: string }>}
 */
async function receivePart(req, storeDir) {
  if (!storeDir) {
    const bytes = await readBody(req)
    const part = {
      size: bytes.length,
      read: () => bytes,
      stream: () => Readable.from([bytes]),
      discard: () => {}
    }
    return { part, contentMd5: md5(bytes) }
  }
  const file = path.join(storeDir, randomUUID())
  const hash = createHash('md5')
  let size = 0
  const measure = async function* (/** @type {AsyncIterable<Buffer>} */ chunks) {
    for await (const chunk of chunks) {
      hash.update(chunk)
      size += chunk.length
      yield chunk
    }
  }
  await pipeline(req, measure, createWriteStream(file))
  const part = {
    size,
    read: () => readFileSync(file),
    stream: () => createReadStream(file),
    discard: () => rmSync(file, { force: true })
  }
  return { part, contentMd5: hash.digest('base64') }
}

/**
 * @param {Part[]} parts
 * @returns {Promise<Content>}
 */
async function contentOf(parts) {
  const hash = createHash('sha256')
  for await (const chunk of chunksOf(parts)) hash.update(chunk)
  const size = parts.reduce((total, part) => total + part.size, 0)
  return { parts, size, digest: `sha256:${hash.digest('hex')}` }
}

/**
 * @param {Part[]} parts
 * @returns {AsyncGenerator<Buffer>}
 */
async function* chunksOf(parts) {
  for (const part of parts) yield* part.stream()
}

/**
 * @param {number} id
 * @param {string} name
 * @param {string} jobBackendId
 * @param {Content} zip
 * @returns {UploadedArtifact}
 */
function uploadedArtifact(id, name, jobBackendId, zip) {
  const read = () => Buffer.concat(zip.parts.map(part => part.read()))
  return {
    id,
    name,
    jobBackendId,
    size: zip.size,
    digest: zip.digest,
    get zip() {
      return read()
    },
    files: () => unzipFiles(read())
  }
}

/** @param {Buffer} zip */
function unzipFiles(zip) {
  const files = unzipSync(zip, { filter: file => !file.name.endsWith('/') })
  return new Map(
    Object.entries(files).map(([path, bytes]) => [
      path,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    ])
  )
}

/**
 * @param {Operation | 'unknown'} operation
 * @param {Required<Fault>} fault
 * @returns {Reply}
 */
function faultReply(operation, fault) {
  if (operation.startsWith('Put') || operation === 'GetBlob') {
    return azureError(
      fault.status,
      AZURE_CODE[/** @type {keyof AZURE_CODE} */ (fault.status)] ?? 'InternalError',
      fault.message
    )
  }
  const code = Object.entries(TWIRP_STATUS).find(([, status]) => status === fault.status)?.[0]
  return twirpError(
    /** @type {keyof TWIRP_STATUS} */ (code ?? 'unknown'),
    fault.message,
    fault.status
  )
}

/** A job acting in another job's name. @returns {Reply} */
function notYourJob() {
  return twirpError('permission_denied', 'the backend ids do not match the runtime token')
}

/** @param {object} body @returns {Reply} */
function twirpOk(body) {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  }
}

/**
 * @param {keyof TWIRP_STATUS | 'unknown'} code
 * @param {string} msg
 * @param {number} [status]
 * @returns {Reply}
 */
function twirpError(code, msg, status) {
  return {
    status: status ?? (code === 'unknown' ? 500 : TWIRP_STATUS[code]),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, msg })
  }
}

/**
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @returns {Reply}
 */
function azureError(status, code, message) {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return {
    status,
    headers: {
      'content-type': 'application/xml',
      'x-ms-error-code': code,
      'x-ms-version': AZURE_VERSION
    },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escaped}</Message></Error>`
  }
}

/**
 * Headers every Azure Blob answer carries.
 * @param {import('node:http').IncomingMessage} req
 * @returns {Record<string, string>}
 */
function azureHeaders(req) {
  const clientRequestId = req.headers['x-ms-client-request-id']
  return {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': String(req.headers['x-ms-version'] ?? AZURE_VERSION),
    ...(typeof clientRequestId === 'string' ? { 'x-ms-client-request-id': clientRequestId } : {}),
    date: new Date().toUTCString()
  }
}

/** @param {StoredBlob} blob */
function blobHeaders(blob) {
  return { etag: blob.etag, 'last-modified': blob.lastModified.toUTCString() }
}

/** @param {Buffer} bytes */
function md5(bytes) {
  return createHash('md5').update(bytes).digest('base64')
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<Buffer>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
