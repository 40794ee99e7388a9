// A loopback stand-in for the GitHub REST API the action calls (pull requests and their files,
// issue comments, compares, releases and their assets), seeded by tests and refereed by GitHub's
// own OpenAPI description. A second loopback server plays uploads.github.com, the host that
// takes release assets' bytes, and the storage host that serves them back.

import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import { URLSearchParams } from 'node:url'
import { loadDescription } from './github-openapi.js'
import { nodeId, pullRequestEvent } from './events.js'
import {
  RELEASE_HANDLERS,
  Releases,
  STORAGE_PREFIX,
  UPLOAD_ROUTE,
  Upload
} from './github-releases.js'

const DOCS = 'https://docs.github.com/rest'
const UPLOAD_DOCS = 'https://docs.github.com/rest/releases/assets#upload-a-release-asset'
/** The upload operation's path template, to which injections may refer. */
const UPLOAD_ROUTE_PATH = UPLOAD_ROUTE.replace(/^POST /, '')
/** GitHub lists at most this many files of a pull request, however many it changed. */
const PULL_FILES_LISTED = 3000
/** A comparison lists at most this many files, and without paging at most 250 commits. */
const COMPARE_FILES_LISTED = 300
const COMPARE_COMMITS_UNPAGED = 250
const COMMENT_MAX_CHARACTERS = 65536
const API_VERSIONS = ['2022-11-28', '2026-03-10']
/** The webhook examples' repository, Codertocat/Hello-World. */
const EXAMPLE_REPO = { owner: 'Codertocat', repo: 'Hello-World', id: 186853002 }
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])
const SECONDARY_RATE_LIMIT =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'

/**
 * @typedef {{ login: string, id: number, type?: string } & Record<string, unknown>} UserSeed
 * @typedef {{ filename: string, status: string, previous_filename?: string, additions?: number,
 *   deletions?: number, changes?: number, sha?: string | null }} FileSeed
 * @typedef {{ files?: FileSeed[], head?: { sha?: string, ref?: string },
 *   base?: { sha?: string, ref?: string }, user?: UserSeed, author_association?: string,
 *   merged?: boolean, merge_commit_sha?: string, fork?: boolean, title?: string }} PullRequestSeed
 * @typedef {{ sha?: string, message?: string }} CommitSeed
 * @typedef {{ files?: FileSeed[], commits?: CommitSeed[], mergeBase?: string }} CompareSeed
 * @typedef {{ method?: string, path?: string | RegExp, host?: 'api' | 'uploads', times?: number,
 *   status: number, body?: unknown, headers?: Record<string, string>,
 *   leavesOpenAsset?: boolean }} Injection
 *   `host` limits it to the API or the upload host (either, when absent). `leavesOpenAsset`, on
 *   an upload: GitHub failed it after storing an empty asset of that name in state `open`, which
 *   its documentation warns a 502 may do; the name stays taken until the asset is deleted.
 * @typedef {{ method: string, path: string, route: string | null, query: Record<string, string>,
 *   body: unknown, status: number, host: 'api' | 'uploads',
 *   headers?: { 'content-type': string | null, 'content-length': string | null } }} RecordedRequest
 *   Uploads record their Content-Type and Content-Length (GitHub requires both), not their bytes.
 * @typedef {{ status: number, body?: unknown, headers?: Record<string, string> }} Answer
 * @typedef {{ params: Record<string, string>, query: Record<string, string>, body: any,
 *   path: string, docsUrl: string, token: string, accept: string }} Call
 */

/**
 * @param {{ owner?: string, repo?: string, token?: string, readOnly?: boolean,
 *   identity?: UserSeed, perPageMax?: number, perPageDefault?: number,
 *   keepAssetBytes?: boolean, defaultBranch?: string }} [options]
 *   `keepAssetBytes: false` keeps only each uploaded asset's size and sha256, for uploads too
 *   large to hold (a benchmark's); its bytes can then not be downloaded.
 */
export async function startGitHub(options = {}) {
  const settings = {
    owner: EXAMPLE_REPO.owner,
    repo: EXAMPLE_REPO.repo,
    token: 'ghs_standin',
    readOnly: false,
    identity: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
    perPageMax: 100,
    perPageDefault: 30,
    keepAssetBytes: true,
    defaultBranch: 'master',
    ...options
  }
  const description = await loadDescription(IMPLEMENTED_ROUTES)
  /** @type {RecordedRequest[]} */
  const requests = []
  /** @type {string[]} */
  const violations = []
  /** @type {Injection[]} */
  const injections = []
  const rateLimit = { used: 0, reset: Math.floor(Date.now() / 1000) + 3600 }
  /** @type {Repository} */
  let repository

  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      const answer = serveSafely(req, Buffer.concat(chunks).toString('utf8'))
      rateLimit.used += 1
      send(res, answer, { ...rateLimit, apiVersion: req.headers['x-github-api-version'] })
    })
  })

  // uploads.github.com: release assets' bytes in, and (as GitHub's storage host) out again.
  const uploadServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', repository.uploads)
    if (req.method === 'GET' && url.pathname.startsWith(STORAGE_PREFIX)) {
      serveDownload(req, res, url)
      return
    }
    const started = safely(req, () => startUpload(req, url))
    req.on('data', chunk => started?.upload.write(chunk))
    // A client that gives up mid-upload (a cancelled run) leaves no asset.
    req.on('error', () => {})
    req.on('end', () => {
      const answer = safely(req, () => finishUpload(started)) ?? error(500, 'Server Error')
      rateLimit.used += 1
      send(res, answer, { ...rateLimit, apiVersion: req.headers['x-github-api-version'] })
    })
  })

  /**
   * @template T
   * @param {http.IncomingMessage} req
   * @param {() => T} work
   * @returns {T | undefined}
   */
  function safely(req, work) {
    try {
      return work()
    } catch (failure) {
      violations.push(`the stand-in failed on ${req.method} ${req.url}: ${failure}`)
      return undefined
    }
  }

  /**
   * A bug in the stand-in answers 500 and fails the test through `violations`, rather than
   * crashing the test process.
   * @param {http.IncomingMessage} req
   * @param {string} raw
   * @returns {Answer}
   */
  function serveSafely(req, raw) {
    try {
      return serve(req, raw)
    } catch (failure) {
      violations.push(`the stand-in failed on ${req.method} ${req.url}: ${failure}`)
      return error(500, 'Server Error')
    }
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {string} raw
   * @returns {Answer}
   */
  function serve(req, raw) {
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', repository.api)
    const query = Object.fromEntries(url.searchParams)
    /** @type {RecordedRequest} */
    const record = {
      method,
      path: url.pathname,
      route: null,
      query,
      body: undefined,
      status: 0,
      host: 'api'
    }
    requests.push(record)
    const path = repository.canonicalPath(url.pathname)
    if (description.match(method, path).match?.route === UPLOAD_ROUTE) {
      violations.push(
        `${method} ${path}: GitHub takes uploads on the host upload_url names, not the API host`
      )
      record.route = UPLOAD_ROUTE
      record.status = 404
      return error(404, 'Not Found')
    }
    const parsed = parseJson(raw)
    if (parsed.ok) record.body = parsed.value
    else violations.push(`${method} ${url.pathname}: the body is not JSON`)
    const answer = parsed.ok
      ? answerFor(record, path, req.headers)
      : error(400, 'Problems parsing JSON')
    record.status = answer.status
    return answer
  }

  /**
   * Checks the request against the description, then answers with GitHub's checks in GitHub's
   * order: credentials, route, repository, permission, body.
   * @param {RecordedRequest} record
   * @param {string} path the request's path, with a `/repositories/{id}` prefix resolved
   * @param {http.IncomingHttpHeaders} headers
   * @returns {Answer}
   */
  function answerFor(record, path, headers) {
    const { method, query, body } = record
    if (!headers['user-agent']) {
      violations.push(`${method} ${path}: no User-Agent header, which GitHub refuses`)
    }
    // GitHub's GraphQL endpoint lies outside the REST description: the one query the action
    // sends, who the token is, is answered here.
    if (method === 'POST' && path === '/graphql') return answerGraphql(record, headers)
    const { match, pathKnown } = description.match(method, path)
    const handler = match ? HANDLERS[match.route] : undefined
    if (!match) {
      violations.push(
        pathKnown
          ? `${method} ${path}: GitHub has no ${method} on this path`
          : `${method} ${path}: not a path of GitHub's REST API`
      )
    } else if (!handler) {
      violations.push(`${match.route}: GitHub has it, but the stand-in does not implement it`)
    }
    record.route = match?.route ?? null
    const bodyProblems = match ? description.checkBody(match.route, body) : []
    violations.push(
      ...(match ? description.checkParameters(match.route, { params: match.params, query }) : []),
      ...bodyProblems
    )

    const token = /^(?:token|bearer) (.+)$/i.exec(headers.authorization ?? '')?.[1]
    if (!token) return error(401, 'Requires authentication')
    if (token !== settings.token) return error(401, 'Bad credentials')
    const injected = takeInjection(method, path, match?.template, 'api')
    if (injected) return injected
    if (!match || !handler) return error(404, 'Not Found')

    const docsUrl = description.operation(match.route)?.docsUrl ?? DOCS
    const { owner, repo } = match.params
    if (owner !== undefined && !repository.is(owner, repo ?? '')) {
      return error(404, 'Not Found', docsUrl)
    }
    if (settings.readOnly && WRITE_METHODS.has(method)) {
      return error(403, 'Resource not accessible by integration', docsUrl)
    }
    if (bodyProblems.length > 0) {
      return error(422, `Invalid request.\n\n${bodyProblems.join('\n')}`, docsUrl)
    }
    const accept = headers.accept ?? ''
    const call = { params: match.params, query, body, path, docsUrl, token, accept }
    const answer = handler(repository, call)
    violations.push(...description.checkResponse(match.route, answer.status, answer.body))
    return answer
  }

  /**
   * The head of an upload, checked as GitHub checks it (credentials, route, repository,
   * permission, release, headers, name) before its bytes arrive.
   * @param {http.IncomingMessage} req
   * @param {URL} url
   */
  function startUpload(req, url) {
    const method = req.method ?? 'GET'
    const path = url.pathname
    const query = Object.fromEntries(url.searchParams)
    const contentType = req.headers['content-type']
    const contentLength = req.headers['content-length']
    /** @type {RecordedRequest} */
    const record = {
      method,
      path,
      route: null,
      query,
      body: undefined,
      status: 0,
      host: 'uploads',
      headers: { 'content-type': contentType ?? null, 'content-length': contentLength ?? null }
    }
    requests.push(record)
    const { match } = description.match(method, path)
    const isUpload = match?.route === UPLOAD_ROUTE
    if (!req.headers['user-agent']) {
      violations.push(`${method} ${path}: no User-Agent header, which GitHub refuses`)
    }
    if (!isUpload) violations.push(`${method} ${path}: the upload host takes only asset uploads`)
    else record.route = UPLOAD_ROUTE
    if (isUpload) {
      violations.push(...description.checkParameters(UPLOAD_ROUTE, { params: match.params, query }))
      if (!contentLength) {
        violations.push(`${method} ${path}: no Content-Length header, which GitHub requires`)
      }
      if (!contentType) {
        violations.push(`${method} ${path}: no Content-Type header, which GitHub requires`)
      }
    }
    const params = match?.params ?? {}
    const refusal = uploadRefusal(req, isUpload, method, path, params)
    return {
      record,
      upload: new Upload({
        releases: repository.releases,
        release: repository.releases.byId.get(Number(params.release_id)),
        name: query.name,
        label: query.label,
        contentType,
        contentLength,
        refusal
      })
    }
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {boolean} isUpload
   * @param {string} method
   * @param {string} path
   * @param {Record<string, string>} params
   * @returns {Answer | undefined}
   */
  function uploadRefusal(req, isUpload, method, path, params) {
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (!token) return error(401, 'Requires authentication')
    if (token !== settings.token) return error(401, 'Bad credentials')
    const injection = findInjection(
      method,
      path,
      isUpload ? UPLOAD_ROUTE_PATH : undefined,
      'uploads'
    )
    if (injection) {
      const release = repository.releases.byId.get(Number(params.release_id))
      const name = new URL(req.url ?? '/', repository.uploads).searchParams.get('name')
      if (
        injection.leavesOpenAsset &&
        release &&
        name &&
        !repository.releases.refuseUpload(release, name)
      ) {
        repository.releases.addAsset(release, {
          requestedName: name,
          label: null,
          contentType: req.headers['content-type'] ?? 'application/octet-stream',
          size: 0,
          sha256: createHash('sha256').digest('hex'),
          bytes: null,
          state: 'open'
        })
      }
      return injected(injection)
    }
    if (!isUpload) return error(404, 'Not Found')
    if (!repository.is(params.owner ?? '', params.repo ?? '')) return error(404, 'Not Found')
    if (settings.readOnly) return error(403, 'Resource not accessible by integration', UPLOAD_DOCS)
    return undefined
  }

  /**
   * @param {{ record: RecordedRequest, upload: Upload } | undefined} started
   * @returns {Answer | undefined}
   */
  function finishUpload(started) {
    if (!started) return undefined
    const { answer } = started.upload.finish()
    started.record.status = answer.status
    if (started.record.route === UPLOAD_ROUTE) {
      violations.push(...description.checkResponse(UPLOAD_ROUTE, answer.status, answer.body))
    }
    return answer
  }

  /**
   * A storage link the API redirected to: the bytes, without the token (a signed link needs
   * none, and GitHub's storage refuses a request that carries one).
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {URL} url
   */
  function serveDownload(req, res, url) {
    if (req.headers.authorization) {
      violations.push(`GET ${url.pathname}: the GitHub token was sent on to the storage host`)
    }
    const found = repository.releases.resolveDownload(url)
    if ('refusal' in found) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(found.refusal)
      return
    }
    const { asset } = found
    if (!asset.bytes) {
      violations.push(`GET ${url.pathname}: asset ${asset.id} was not kept (keepAssetBytes: false)`)
      res.writeHead(404, { 'content-type': 'text/plain' }).end('BlobNotFound')
      return
    }
    asset.downloads += 1
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(asset.bytes.length),
      'content-disposition': `attachment; filename=${asset.name}`,
      'content-md5': createHash('md5').update(asset.bytes).digest('base64')
    })
    res.end(asset.bytes)
  }

  /**
   * `query { viewer { login } }`, as GitHub answers it: a bot's login keeps its `[bot]` suffix.
   * @param {RecordedRequest} record
   * @param {http.IncomingHttpHeaders} headers
   * @returns {Answer}
   */
  function answerGraphql(record, headers) {
    record.route = 'POST /graphql'
    const token = /^(?:token|bearer) (.+)$/i.exec(headers.authorization ?? '')?.[1]
    if (token !== settings.token) return error(401, 'Bad credentials')
    const query = String(/** @type {{ query?: unknown }} */ (record.body ?? {}).query ?? '')
    if (!/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query)) {
      violations.push(`POST /graphql: the stand-in answers only { viewer { login } }, not ${query}`)
      return error(400, 'Unsupported query')
    }
    return { status: 200, body: { data: { viewer: { login: repository.identity.login } } } }
  }

  /**
   * @param {string} method @param {string} pathname @param {string | undefined} template
   * @param {'api' | 'uploads'} host
   */
  function takeInjection(method, pathname, template, host) {
    const injection = findInjection(method, pathname, template, host)
    return injection && injected(injection)
  }

  /**
   * Takes one use of the first injection matching a request.
   * @param {string} method @param {string} pathname @param {string | undefined} template
   * @param {'api' | 'uploads'} host
   */
  function findInjection(method, pathname, template, host) {
    const index = injections.findIndex(
      injection =>
        (!injection.host || injection.host === host) &&
        (!injection.method || injection.method.toUpperCase() === method) &&
        (!injection.path ||
          (injection.path instanceof RegExp
            ? injection.path.test(pathname)
            : injection.path === pathname || injection.path === template))
    )
    if (index < 0) return undefined
    const injection = /** @type {Injection} */ (injections[index])
    injection.times = (injection.times ?? 1) - 1
    if (injection.times <= 0) injections.splice(index, 1)
    return injection
  }

  /** @param {Injection} injection @returns {Answer} */
  function injected({ status, body, headers }) {
    const message =
      status === 403 || status === 429 ? SECONDARY_RATE_LIMIT : http.STATUS_CODES[status]
    return { ...error(status, message ?? 'Error'), ...(body !== undefined && { body }), headers }
  }

  const url = await listen(server)
  const uploadsUrl = await listen(uploadServer)
  repository = new Repository({ ...settings, api: url, uploads: uploadsUrl })

  return {
    url,
    /** The upload host, named in every release's `upload_url` as uploads.github.com is. */
    uploadsUrl,
    /** Every request to either host, in the order received (never its token). */
    requests,
    /** Every way a request, or an answer, strayed from GitHub's description. */
    violations,
    close() {
      return Promise.all(
        [server, uploadServer].map(
          open =>
            new Promise(resolve => {
              open.close(() => resolve(undefined))
              open.closeAllConnections()
            })
        )
      ).then(() => undefined)
    },
    /** @param {number} number @param {PullRequestSeed} [seed] */
    addPullRequest: (number, seed = {}) => repository.addPullRequest(number, seed),
    /** @param {number} issueNumber @param {{ body: string, user?: UserSeed, author_association?: string }} seed */
    addComment: (issueNumber, seed) => copy(repository.addComment(issueNumber, seed)),
    /** @param {string} base @param {string} head @param {CompareSeed} seed */
    setCompare: (base, head, seed) => repository.setCompare(base, head, seed),
    /** @param {string} sha @param {number[]} pullNumbers */
    setCommitPulls: (sha, pullNumbers) => repository.commitPulls.set(sha, pullNumbers),
    /** The comments of an issue or pull request as GitHub would list them, oldest first. */
    comments: (/** @type {number} */ issueNumber) => copy(repository.commentsOf(issueNumber)),
    /** Deletes a comment as a person would in the web interface. */
    deleteComment: (/** @type {number} */ id) => repository.comments.delete(id),
    /** Queues an answer for the next matching request(s), e.g. a 403 secondary rate limit. */
    inject: (/** @type {Injection} */ injection) => injections.push({ ...injection }),
    /**
     * Every release, oldest first, with whether it is the repository's latest and each asset's
     * stored name (and the name the upload asked for), label, content type, size, sha256 and,
     * unless `keepAssetBytes` is false, bytes.
     */
    releases: () => repository.releases.snapshot(),
    /**
     * Pre-seeds a release, as earlier runs or people left it; returns it as the API shows it.
     * @param {import('./github-releases.js').ReleaseSeed} seed
     */
    addRelease: seed => copy(repository.releases.seed(seed)),
    /** An asset's bytes as uploaded, or undefined (no such asset, or bytes not kept). */
    assetBytes: (/** @type {number} */ id) => {
      const bytes = repository.releases.assets.get(id)?.bytes
      return bytes ? Buffer.from(bytes) : undefined
    }
  }
}

/** @param {http.Server} server @returns {Promise<string>} its loopback origin */
async function listen(server) {
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  return `http://127.0.0.1:${address.port}`
}

/** @typedef {Awaited<ReturnType<typeof startGitHub>>} GitHubStandIn */

/** @type {Record<string, (repository: Repository, call: Call) => Answer>} */
const HANDLERS = {
  ...RELEASE_HANDLERS,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': (repository, { params, docsUrl }) => {
    const pull = repository.pulls.get(Number(params.pull_number))
    return pull ? { status: 200, body: pull.object } : error(404, 'Not Found', docsUrl)
  },
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': (repository, call) => {
    const pull = repository.pulls.get(Number(call.params.pull_number))
    if (!pull) return error(404, 'Not Found', call.docsUrl)
    return repository.page(call, pull.files.slice(0, PULL_FILES_LISTED))
  },
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': (repository, call) => {
    const issue = Number(call.params.issue_number)
    if (!repository.hasIssue(issue)) return error(404, 'Not Found', call.docsUrl)
    const since = call.query.since ? Date.parse(call.query.since) : -Infinity
    const comments = repository.commentsOf(issue).filter(c => Date.parse(c.updated_at) >= since)
    return repository.page(call, comments)
  },
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (repository, call) => {
    const issue = Number(call.params.issue_number)
    if (!repository.hasIssue(issue)) return error(404, 'Not Found', call.docsUrl)
    const refused = refuseBody(call.body.body, call.docsUrl)
    if (refused) return refused
    const comment = repository.addComment(issue, { body: call.body.body })
    return { status: 201, body: comment, headers: { location: comment.url } }
  },
  'GET /repos/{owner}/{repo}/issues/comments/{comment_id}': (repository, { params, docsUrl }) => {
    const found = repository.comments.get(Number(params.comment_id))
    return found ? { status: 200, body: found.comment } : error(404, 'Not Found', docsUrl)
  },
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': (repository, call) => {
    const found = repository.comments.get(Number(call.params.comment_id))
    if (!found) return error(404, 'Not Found', call.docsUrl)
    const refused = refuseBody(call.body.body, call.docsUrl)
    if (refused) return refused
    Object.assign(found.comment, { body: call.body.body, updated_at: timestamp() })
    return { status: 200, body: found.comment }
  },
  'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': (
    repository,
    { params, docsUrl }
  ) => {
    const deleted = repository.comments.delete(Number(params.comment_id))
    return deleted ? { status: 204 } : error(404, 'Not Found', docsUrl)
  },
  'GET /repos/{owner}/{repo}/compare/{basehead}': (repository, call) => {
    const comparison = repository.compares.get(call.params.basehead ?? '')
    if (!comparison) return error(404, 'Not Found', call.docsUrl)
    const { commits, files } = comparison
    if (call.query.page === undefined && call.query.per_page === undefined) {
      const body = {
        ...comparison.summary,
        commits: commits.slice(-COMPARE_COMMITS_UNPAGED),
        files
      }
      return { status: 200, body }
    }
    const page = repository.page(call, commits)
    const first = !(Number.parseInt(call.query.page ?? '1', 10) > 1)
    return { ...page, body: { ...comparison.summary, commits: page.body, ...(first && { files }) } }
  },
  'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls': (repository, call) => {
    const sha = call.params.commit_sha ?? ''
    const numbers =
      repository.commitPulls.get(sha) ??
      [...repository.pulls.values()].filter(p => p.object.head.sha === sha).map(p => p.number)
    const pulls = numbers.flatMap(number => repository.pulls.get(number) ?? [])
    return repository.page(
      call,
      pulls.map(pull => simplePullRequest(pull.object))
    )
  },
  'GET /user': (repository, { token, docsUrl }) => {
    // Installation tokens (the workflow's GITHUB_TOKEN among them) act for no user.
    const installation = token.startsWith('ghs_')
    return installation
      ? error(403, 'Resource not accessible by integration', docsUrl)
      : { status: 200, body: privateUser(repository.user(repository.identity)) }
  }
}

/**
 * The routes the stand-in serves. Each must be in stand-ins/openapi/github-extract.json, with its
 * schemas: after adding one, run `npm run refresh-openapi`.
 */
export const IMPLEMENTED_ROUTES = [...Object.keys(HANDLERS), UPLOAD_ROUTE]

/** GitHub's answers to a comment body it will not store. */
function refuseBody(/** @type {string} */ body, /** @type {string} */ docsUrl) {
  // GitHub counts characters, not UTF-16 code units or bytes.
  const length = [...body].length
  if (length === 0) return validationFailed({ code: 'missing_field' }, docsUrl)
  if (length > COMMENT_MAX_CHARACTERS) {
    const message = `body is too long (maximum is ${COMMENT_MAX_CHARACTERS} characters)`
    return validationFailed({ code: 'custom', message }, docsUrl)
  }
  return undefined
}

/** @param {{ code: string, message?: string }} problem @param {string} docsUrl */
function validationFailed(problem, docsUrl) {
  const errors = [{ resource: 'IssueComment', code: problem.code, field: 'body', ...problem }]
  return {
    status: 422,
    body: { message: 'Validation Failed', errors, documentation_url: docsUrl, status: '422' }
  }
}

/** @returns {Answer} */
function error(/** @type {number} */ status, /** @type {string} */ message, docsUrl = DOCS) {
  return { status, body: { message, documentation_url: docsUrl, status: String(status) } }
}

/**
 * The seeded repository: its pull requests, comments and comparisons, as full API objects.
 */
class Repository {
  /**
   * @param {{ owner: string, repo: string, api: string, uploads: string, identity: UserSeed,
   *   perPageMax: number, perPageDefault: number, keepAssetBytes: boolean,
   *   defaultBranch: string }} settings
   */
  constructor({ owner, repo, api, uploads, identity, perPageMax, perPageDefault, ...rest }) {
    this.owner = owner
    this.name = repo
    this.id = EXAMPLE_REPO.id
    this.api = api
    this.uploads = uploads
    this.identity = identity
    this.perPage = { max: perPageMax, default: perPageDefault }
    this.apiBase = `${api}/repos/${owner}/${repo}`
    this.htmlBase = `https://github.com/${owner}/${repo}`
    /** @type {Map<number, { number: number, object: Record<string, any>, files: object[] }>} */
    this.pulls = new Map()
    /** Issues that only have comments, beside the pull requests. */
    this.issues = new Set()
    /** @type {Map<number, { issue: number, comment: Record<string, any> }>} in creation order */
    this.comments = new Map()
    /** @type {Map<string, { summary: object, commits: object[], files: object[] }>} */
    this.compares = new Map()
    /** @type {Map<string, number[]>} */
    this.commitPulls = new Map()
    // Comment ids of today's GitHub are ten digits long.
    this.nextCommentId = 2_400_000_001
    this.releases = new Releases({
      repository: this,
      uploads,
      keepAssetBytes: rest.keepAssetBytes,
      defaultBranch: rest.defaultBranch
    })
  }

  /** GitHub names are case-insensitive. */
  is(/** @type {string} */ owner, /** @type {string} */ repo) {
    return (
      owner.toLowerCase() === this.owner.toLowerCase() &&
      repo.toLowerCase() === this.name.toLowerCase()
    )
  }

  /** GitHub's Link headers name the repository by id; those paths reach the same resources. */
  canonicalPath(/** @type {string} */ pathname) {
    const prefix = `/repositories/${this.id}/`
    return pathname.startsWith(prefix)
      ? `/repos/${this.owner}/${this.name}/${pathname.slice(prefix.length)}`
      : pathname
  }

  hasIssue(/** @type {number} */ number) {
    return this.pulls.has(number) || this.issues.has(number)
  }

  /**
   * A pull request built from the webhook examples' one, so every field GitHub returns is there;
   * what the seed leaves out matches what pullRequestEvent() leaves out.
   * @param {number} number
   * @param {PullRequestSeed} seed
   */
  addPullRequest(number, seed) {
    const { pull_request: example } = pullRequestEvent({
      number,
      action: 'opened',
      headSha: seed.head?.sha,
      baseSha: seed.base?.sha,
      headRef: seed.head?.ref,
      baseRef: seed.base?.ref,
      authorAssociation: seed.author_association,
      fork: seed.fork
    })
    const pull = this.rehome(example)
    const files = (seed.files ?? []).map(file => this.diffEntry(file, pull.head.sha))
    if (seed.user) pull.user = this.user(seed.user)
    if (seed.title) pull.title = seed.title
    pull.auto_merge ??= null
    Object.assign(pull, {
      changed_files: files.length,
      additions: files.reduce((sum, file) => sum + file.additions, 0),
      deletions: files.reduce((sum, file) => sum + file.deletions, 0),
      merge_commit_sha: seed.merge_commit_sha ?? pull.merge_commit_sha
    })
    if (seed.merged) {
      const now = timestamp()
      Object.assign(pull, { state: 'closed', merged: true, merged_at: now, closed_at: now })
      Object.assign(pull, { merged_by: pull.user, mergeable: null, mergeable_state: 'unknown' })
      pull.merge_commit_sha ??= sha(`merge of #${number}`)
    }
    this.pulls.set(number, { number, object: pull, files })
    return copy(pull)
  }

  /** @param {number} issue @param {{ body: string, user?: UserSeed, author_association?: string }} seed */
  addComment(issue, { body, user = this.identity, author_association = 'NONE' }) {
    if (!this.pulls.has(issue)) this.issues.add(issue)
    const id = this.nextCommentId++
    const now = timestamp()
    const kind = this.pulls.has(issue) ? 'pull' : 'issues'
    const comment = {
      url: `${this.apiBase}/issues/comments/${id}`,
      html_url: `${this.htmlBase}/${kind}/${issue}#issuecomment-${id}`,
      issue_url: `${this.apiBase}/issues/${issue}`,
      id,
      node_id: `IC_kwDO${Buffer.from(`${this.id}:${id}`).toString('base64url')}`,
      user: this.user(user),
      created_at: now,
      updated_at: now,
      author_association,
      body,
      reactions: reactions(`${this.apiBase}/issues/comments/${id}/reactions`),
      performed_via_github_app: null
    }
    this.comments.set(id, { issue, comment })
    return comment
  }

  /** @param {number} issue */
  commentsOf(issue) {
    return [...this.comments.values()].filter(c => c.issue === issue).map(c => c.comment)
  }

  /**
   * A comparison. With `mergeBase` (e.g. after a force push) head does not descend from base:
   * GitHub answers `diverged` and lists the files changed since the merge base.
   * @param {string} base @param {string} head @param {CompareSeed} seed
   */
  setCompare(base, head, { files = [], commits = [{}], mergeBase }) {
    const baseSha = isSha(base) ? base : sha(`ref ${base}`)
    const headSha = isSha(head) ? head : sha(`ref ${head}`)
    const forkPoint = mergeBase ?? baseSha
    let parent = forkPoint
    const built = commits.map((seed, i) => {
      const last = i === commits.length - 1
      const commitSha = seed.sha ?? (last ? headSha : sha(`${head}~${commits.length - 1 - i}`))
      const commit = this.commit(commitSha, seed.message ?? 'Update video scripts', parent)
      parent = commitSha
      return commit
    })
    const basehead = `${base}...${head}`
    const summary = {
      url: `${this.apiBase}/compare/${basehead}`,
      html_url: `${this.htmlBase}/compare/${basehead}`,
      permalink_url: `${this.htmlBase}/compare/${this.owner}:${baseSha.slice(0, 7)}...${this.owner}:${headSha.slice(0, 7)}`,
      diff_url: `${this.htmlBase}/compare/${basehead}.diff`,
      patch_url: `${this.htmlBase}/compare/${basehead}.patch`,
      base_commit: this.commit(baseSha, 'Base', sha(`parent of ${forkPoint}`)),
      merge_base_commit: this.commit(forkPoint, 'Merge base', sha(`parent of ${forkPoint}`)),
      status: mergeBase ? 'diverged' : commits.length > 0 ? 'ahead' : 'identical',
      ahead_by: commits.length,
      behind_by: mergeBase ? 1 : 0,
      total_commits: commits.length
    }
    const diffEntries = files
      .slice(0, COMPARE_FILES_LISTED)
      .map(file => this.diffEntry(file, headSha))
    this.compares.set(basehead, { summary, commits: built, files: diffEntries })
  }

  /**
   * One page of a list, with the Link header GitHub sends: per_page capped, page from 1.
   * @param {Call} call
   * @param {unknown[]} items
   * @returns {Answer}
   */
  page(call, items) {
    const asked = Number.parseInt(call.query.per_page ?? '', 10)
    const perPage = asked >= 1 ? Math.min(asked, this.perPage.max) : this.perPage.default
    const page = Math.max(1, Number.parseInt(call.query.page ?? '', 10) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const body = items.slice((page - 1) * perPage, page * perPage)
    const link = this.link(call, page, last)
    return { status: 200, body, ...(link && { headers: { link } }) }
  }

  /** @param {Call} call @param {number} page @param {number} last */
  link(call, page, last) {
    /** @type {[string, number][]} GitHub's order */
    const rels = []
    if (page > 1) rels.push(['prev', page - 1])
    if (page < last) rels.push(['next', page + 1], ['last', last])
    if (page > 1) rels.push(['first', 1])
    return rels.map(([rel, number]) => `<${this.pageUrl(call, number)}>; rel="${rel}"`).join(', ')
  }

  /** @param {Call} call @param {number} page */
  pageUrl(call, page) {
    const resource = call.params.owner === undefined ? '' : `/repositories/${this.id}`
    const rest = call.path.replace(/^\/repos\/[^/]+\/[^/]+/, '')
    const query = new URLSearchParams(call.query)
    query.set('page', String(page))
    return `${this.api}${resource}${rest}?${query}`
  }

  /**
   * A file of a diff as the files and compare endpoints list it, with a small patch of the
   * stated size.
   * @param {FileSeed} file
   * @param {string} headSha
   */
  diffEntry(file, headSha) {
    const [addedByDefault, deletedByDefault] = DEFAULT_LINES[file.status] ?? [0, 0]
    const additions = file.additions ?? addedByDefault
    const deletions = file.deletions ?? deletedByDefault
    const changes = file.changes ?? additions + deletions
    const encoded = file.filename.split('/').map(encodeURIComponent).join('/')
    return {
      sha: file.sha === undefined ? sha(`${headSha}:${file.filename}`) : file.sha,
      filename: file.filename,
      status: file.status,
      additions,
      deletions,
      changes,
      blob_url: `${this.htmlBase}/blob/${headSha}/${encoded}`,
      raw_url: `${this.htmlBase}/raw/${headSha}/${encoded}`,
      contents_url: `${this.apiBase}/contents/${encoded}?ref=${headSha}`,
      ...(changes > 0 && { patch: patch(additions, deletions) }),
      ...(file.previous_filename !== undefined && { previous_filename: file.previous_filename })
    }
  }

  /** @param {string} commitSha @param {string} message @param {string} parentSha */
  commit(commitSha, message, parentSha) {
    const author = {
      name: 'Codertocat',
      email: '21031067+Codertocat@users.noreply.github.com',
      date: timestamp()
    }
    const tree = sha(`tree of ${commitSha}`)
    const user = this.user({ login: 'Codertocat', id: 21031067, type: 'User' })
    return {
      url: `${this.apiBase}/commits/${commitSha}`,
      sha: commitSha,
      node_id: `C_kwDO${Buffer.from(commitSha).toString('base64url').slice(0, 24)}`,
      html_url: `${this.htmlBase}/commit/${commitSha}`,
      comments_url: `${this.apiBase}/commits/${commitSha}/comments`,
      commit: {
        url: `${this.apiBase}/git/commits/${commitSha}`,
        author,
        committer: author,
        message,
        tree: { sha: tree, url: `${this.apiBase}/git/trees/${tree}` },
        comment_count: 0,
        verification: {
          verified: false,
          reason: 'unsigned',
          signature: null,
          payload: null,
          verified_at: null
        }
      },
      author: user,
      committer: user,
      parents: [
        {
          sha: parentSha,
          url: `${this.apiBase}/commits/${parentSha}`,
          html_url: `${this.htmlBase}/commit/${parentSha}`
        }
      ]
    }
  }

  /**
   * A full user object, as GitHub nests in comments and pull requests.
   * @param {UserSeed} seed
   */
  user({ login, id, type = 'User', ...rest }) {
    const url = `${this.api}/users/${encodeURIComponent(login)}`
    const kind =
      type === 'Bot' ? '03:Bot' : type === 'Organization' ? '012:Organization' : '04:User'
    return {
      login,
      id,
      node_id: nodeId(kind, id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url:
        type === 'Bot'
          ? `https://github.com/apps/${login.replace(/\[bot\]$/, '')}`
          : `https://github.com/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type,
      user_view_type: 'public',
      site_admin: false,
      ...rest
    }
  }

  /**
   * Moves an example object to this repository and this server: API URLs point here, as they
   * point at the API host on GitHub. The examples' repository owner is also their author.
   * @param {Record<string, any>} value
   * @returns {Record<string, any>}
   */
  rehome(value) {
    return JSON.parse(
      JSON.stringify(value)
        .replaceAll('https://api.github.com', this.api)
        .replaceAll(EXAMPLE_REPO.owner, this.owner)
        .replaceAll(EXAMPLE_REPO.repo, this.name)
    )
  }
}

/** Lines a file of each status adds and deletes when a test does not say. */
/** @type {Record<string, [number, number]>} */
const DEFAULT_LINES = { added: [3, 0], removed: [0, 3], modified: [2, 1] }

/** A unified-diff hunk with the given numbers of added and deleted lines. */
function patch(/** @type {number} */ additions, /** @type {number} */ deletions) {
  const header = `@@ -${deletions ? 1 : 0},${deletions} +${additions ? 1 : 0},${additions} @@`
  const removed = Array.from({ length: deletions }, (_, i) => `-old line ${i + 1}`)
  const added = Array.from({ length: additions }, (_, i) => `+new line ${i + 1}`)
  return [header, ...removed, ...added].join('\n')
}

/** Fields only GET of a single pull request has; list endpoints leave them out. */
const DETAIL_FIELDS = new Set([
  'merged',
  'mergeable',
  'rebaseable',
  'mergeable_state',
  'merged_by',
  'comments',
  'review_comments',
  'maintainer_can_modify',
  'commits',
  'additions',
  'deletions',
  'changed_files'
])

/** The pull request as list endpoints show it. */
function simplePullRequest(/** @type {Record<string, any>} */ pull) {
  return Object.fromEntries(Object.entries(pull).filter(([key]) => !DETAIL_FIELDS.has(key)))
}

/** What GET /user shows its own user. */
function privateUser(/** @type {Record<string, unknown>} */ user) {
  const now = timestamp()
  return {
    ...user,
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: now,
    updated_at: now,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true
  }
}

/** @param {string} url */
function reactions(url) {
  return {
    url,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    confused: 0,
    heart: 0,
    hooray: 0,
    eyes: 0,
    rocket: 0
  }
}

/**
 * @param {http.ServerResponse} res
 * @param {Answer} answer
 * @param {{ used: number, reset: number, apiVersion: string | string[] | undefined }} context
 */
function send(res, { status, body, headers = {} }, { used, reset, apiVersion }) {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    ...(body !== undefined && { 'content-type': 'application/json; charset=utf-8' }),
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected':
      typeof apiVersion === 'string' && API_VERSIONS.includes(apiVersion)
        ? apiVersion
        : API_VERSIONS[0],
    'x-github-request-id': requestId(),
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(Math.max(0, 5000 - used)),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-used': String(used),
    'x-ratelimit-resource': 'core',
    'content-length': String(Buffer.byteLength(text)),
    ...headers
  })
  res.end(text)
}

/** Shaped like GitHub's, e.g. `C2A4:3F6E1:1A2B3C:1B2C3D4:6561F0A0`. */
function requestId() {
  const hex = (/** @type {number} */ bytes) => randomBytes(bytes).toString('hex').toUpperCase()
  return `${hex(2)}:${hex(3)}:${hex(3)}:${hex(4)}:${Math.floor(Date.now() / 1000)
    .toString(16)
    .toUpperCase()}`
}

/** @param {string} raw @returns {{ ok: true, value: unknown } | { ok: false }} */
function parseJson(raw) {
  if (raw === '') return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(raw) }
  } catch {
    return { ok: false }
  }
}

/** GitHub's timestamps have whole seconds. */
function timestamp() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** A stable made-up commit or blob sha. */
function sha(/** @type {string} */ seed) {
  return createHash('sha1').update(seed).digest('hex')
}

function isSha(/** @type {string} */ value) {
  return /^[0-9a-f]{40}$/.test(value)
}

/** @template T @param {T} value @returns {T} */
function copy(value) {
  return JSON.parse(JSON.stringify(value))
}
