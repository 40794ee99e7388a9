// Releases and their assets for the GitHub stand-in: what GitHub stores, the REST handlers over it,
// and the upload host's handling of an asset's bytes, with GitHub's names, limits and "latest".

import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { URLSearchParams } from 'node:url'

/** The upload operation, served on the host `upload_url` names (uploads.github.com), never the API's. */
export const UPLOAD_ROUTE = 'POST /repos/{owner}/{repo}/releases/{release_id}/assets'
/** GitHub refuses the 1001st asset of a release (enforced since July 2025). */
export const ASSETS_PER_RELEASE = 1000
/** Where the upload host serves asset bytes, as release-assets.githubusercontent.com does. */
export const STORAGE_PREFIX = '/github-production-release-asset/'
/** Signed download links of GitHub's storage live five minutes. */
const DOWNLOAD_LINK_SECONDS = 300
const DOCS_UPLOAD = 'https://docs.github.com/rest/releases/assets#upload-a-release-asset'

/**
 * @typedef {import('./github.js').Answer} Answer
 * @typedef {import('./github.js').Call} Call
 * @typedef {{ name: string, label?: string, content_type?: string,
 *   data: string | Uint8Array }} AssetSeed
 * @typedef {{ tag: string, name?: string, body?: string, draft?: boolean, prerelease?: boolean,
 *   make_latest?: 'true' | 'false' | 'legacy', target_commitish?: string,
 *   assets?: AssetSeed[] }} ReleaseSeed
 * @typedef {{ id: number, releaseId: number, name: string, requestedName: string,
 *   label: string | null, contentType: string, size: number, sha256: string,
 *   bytes: Buffer | null, state: 'uploaded' | 'open', storageKey: string, createdAt: string,
 *   updatedAt: string, downloads: number }} StoredAsset
 * @typedef {{ id: number, tag: string, name: string | null, body: string | null, draft: boolean,
 *   prerelease: boolean, makeLatest: string, targetCommitish: string, untagged: string,
 *   createdAt: string, publishedAt: string | null, assets: StoredAsset[] }} StoredRelease
 * @typedef {{ owner: string, name: string, id: number, api: string, apiBase: string,
 *   htmlBase: string, identity: import('./github.js').UserSeed,
 *   user: (seed: import('./github.js').UserSeed) => Record<string, unknown>,
 *   page: (call: Call, items: unknown[]) => Answer }} RepositoryView
 */

/**
 * The asset name GitHub stores for a requested one. GitHub documents only that it "renames asset
 * filenames that have special characters, non-alphanumeric characters, and leading or trailing
 * periods"; uploads observed in the wild (travis-ci/dpl#821, softprops/action-gh-release#749)
 * show the rule: letters are transliterated to ASCII (`ð` → `d`, `æ` → `ae`), every run of
 * characters other than letters, digits, `_` and `-` becomes one `.`, and a leading period gets
 * `default` before it (`.config` → `default.config`). Trailing periods are dropped (assumed).
 * @param {string} requested
 */
export function githubAssetName(requested) {
  const ascii = transliterate(requested)
  const dotted = ascii.replace(/[^A-Za-z0-9_-]+/g, '.').replace(/\.+$/, '')
  if (dotted === '') return 'default'
  return dotted.startsWith('.') ? `default${dotted}` : dotted
}

/** Letters NFKD does not take apart, as Rails' transliteration (which GitHub uses) spells them. */
/** @type {Record<string, string>} */
const LETTERS = {
  Æ: 'AE',
  æ: 'ae',
  Ð: 'D',
  ð: 'd',
  Đ: 'D',
  đ: 'd',
  Ø: 'O',
  ø: 'o',
  Þ: 'TH',
  þ: 'th',
  ß: 'ss',
  Ł: 'L',
  ł: 'l',
  Ŋ: 'NG',
  ŋ: 'ng',
  Œ: 'OE',
  œ: 'oe',
  ı: 'i'
}

function transliterate(/** @type {string} */ text) {
  return [...text.normalize('NFKD').replace(/\p{M}/gu, '')]
    .map(character => LETTERS[character] ?? (/^[\x20-\x7e]$/.test(character) ? character : '?'))
    .join('')
}

/**
 * Git's rules for a ref name (`git check-ref-format`), which GitHub applies to a new tag.
 * @param {string} tag
 */
function wellFormedTag(tag) {
  return !(
    tag === '' ||
    tag === '@' ||
    [...tag].some(character => character <= ' ' || character === '\x7f') ||
    /[~^:?*[\\]/.test(tag) ||
    tag.includes('..') ||
    tag.includes('@{') ||
    tag.includes('//') ||
    /(^|\/)\./.test(tag) ||
    /^\/|\/$|\.$|\.lock(\/|$)/.test(tag)
  )
}

/**
 * A repository's releases, ids given out as GitHub's (nine digits today), each with its assets in
 * upload order. The latest release is tracked explicitly, as `make_latest` sets it: a release
 * created with `make_latest: 'false'` never becomes latest, and drafts and prereleases cannot be.
 */
export class Releases {
  /**
   * @param {{ repository: RepositoryView, uploads: string, keepAssetBytes: boolean,
   *   defaultBranch: string }} settings
   */
  constructor({ repository, uploads, keepAssetBytes, defaultBranch }) {
    this.repository = repository
    this.uploads = uploads
    this.keepAssetBytes = keepAssetBytes
    this.defaultBranch = defaultBranch
    /** @type {Map<number, StoredRelease>} in creation order */
    this.byId = new Map()
    /** @type {Map<number, StoredAsset>} */
    this.assets = new Map()
    /** @type {number | null} */
    this.latestId = null
    this.nextReleaseId = 250_000_001
    this.nextAssetId = 300_000_001
    // Signs the storage links the way GitHub's storage does, so only links it gave out work.
    this.secret = randomBytes(32)
  }

  /**
   * Creates a release as POST /releases does, once its request is known to be valid.
   * @param {Omit<ReleaseSeed, 'assets'>} seed
   */
  create({ tag, name, body, draft = false, prerelease = false, make_latest = 'true', ...rest }) {
    const now = timestamp()
    /** @type {StoredRelease} */
    const release = {
      id: this.nextReleaseId++,
      tag,
      name: name ?? null,
      body: body ?? null,
      draft,
      prerelease,
      makeLatest: make_latest,
      targetCommitish: rest.target_commitish ?? this.defaultBranch,
      untagged: `untagged-${randomBytes(10).toString('hex')}`,
      createdAt: now,
      publishedAt: draft ? null : now,
      assets: []
    }
    this.byId.set(release.id, release)
    if (!draft && !prerelease && make_latest !== 'false') this.latestId = release.id
    return release
  }

  /** A tag's release; drafts have no tag yet and are not found by one. */
  byTag(/** @type {string} */ tag) {
    return [...this.byId.values()].find(release => release.tag === tag && !release.draft)
  }

  /**
   * Stores an uploaded asset under the name GitHub gives it.
   * @param {StoredRelease} release
   * @param {{ requestedName: string, label: string | null, contentType: string, size: number,
   *   sha256: string, bytes: Buffer | null, state?: 'uploaded' | 'open' }} upload
   */
  addAsset(release, upload) {
    const now = timestamp()
    /** @type {StoredAsset} */
    const asset = {
      id: this.nextAssetId++,
      releaseId: release.id,
      name: githubAssetName(upload.requestedName),
      requestedName: upload.requestedName,
      label: upload.label,
      contentType: upload.contentType,
      size: upload.size,
      sha256: upload.sha256,
      bytes: this.keepAssetBytes ? upload.bytes : null,
      state: upload.state ?? 'uploaded',
      storageKey: randomUUID(),
      createdAt: now,
      updatedAt: now,
      downloads: 0
    }
    release.assets.push(asset)
    this.assets.set(asset.id, asset)
    return asset
  }

  deleteAsset(/** @type {number} */ id) {
    const asset = this.assets.get(id)
    if (!asset) return false
    this.assets.delete(id)
    const release = this.byId.get(asset.releaseId)
    if (release) release.assets = release.assets.filter(a => a.id !== id)
    return true
  }

  /**
   * What GitHub refuses an upload for, checked before the bytes arrive.
   * @param {StoredRelease} release
   * @param {string} requestedName
   * @returns {Answer | undefined}
   */
  refuseUpload(release, requestedName) {
    const name = githubAssetName(requestedName)
    if (release.assets.some(asset => asset.name === name)) {
      return validationFailed({ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' })
    }
    if (release.assets.length >= ASSETS_PER_RELEASE) {
      return validationFailed({
        resource: 'ReleaseAsset',
        code: 'custom',
        field: 'file_count',
        message: `file_count limited to ${ASSETS_PER_RELEASE} assets`
      })
    }
    return undefined
  }

  /** @param {StoredRelease} release */
  object(release) {
    const { apiBase, htmlBase, owner, name: repo } = this.repository
    const url = `${apiBase}/releases/${release.id}`
    const tag = release.draft ? release.untagged : release.tag
    return {
      url,
      assets_url: `${url}/assets`,
      upload_url: `${this.uploads}/repos/${owner}/${repo}/releases/${release.id}/assets{?name,label}`,
      html_url: `${htmlBase}/releases/tag/${encodeURIComponent(tag)}`,
      id: release.id,
      author: this.repository.user(this.repository.identity),
      node_id: `RE_kwDO${Buffer.from(`${this.repository.id}:${release.id}`).toString('base64url')}`,
      tag_name: release.tag,
      target_commitish: release.targetCommitish,
      name: release.name,
      draft: release.draft,
      immutable: false,
      prerelease: release.prerelease,
      created_at: release.createdAt,
      updated_at: release.publishedAt ?? release.createdAt,
      published_at: release.publishedAt,
      assets: release.assets.map(asset => this.assetObject(asset)),
      tarball_url: `${apiBase}/tarball/${encodeURIComponent(release.tag)}`,
      zipball_url: `${apiBase}/zipball/${encodeURIComponent(release.tag)}`,
      body: release.body
    }
  }

  /**
   * An asset as the API shows it: `browser_download_url` is the stable github.com address GitHub
   * forms from the tag and the stored name; `url` is the API resource.
   * @param {StoredAsset} asset
   */
  assetObject(asset) {
    const release = /** @type {StoredRelease} */ (this.byId.get(asset.releaseId))
    const tag = release.draft ? release.untagged : release.tag
    const { apiBase, htmlBase } = this.repository
    return {
      url: `${apiBase}/releases/assets/${asset.id}`,
      id: asset.id,
      node_id: `RA_kwDO${Buffer.from(`${this.repository.id}:${asset.id}`).toString('base64url')}`,
      name: asset.name,
      label: asset.label,
      uploader: this.repository.user(this.repository.identity),
      content_type: asset.contentType,
      state: asset.state,
      size: asset.size,
      digest: asset.state === 'uploaded' ? `sha256:${asset.sha256}` : null,
      download_count: asset.downloads,
      created_at: asset.createdAt,
      updated_at: asset.updatedAt,
      browser_download_url: `${htmlBase}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(asset.name)}`
    }
  }

  /** A short-lived signed link to an asset's bytes on the storage host. */
  downloadUrl(/** @type {StoredAsset} */ asset) {
    const expires = Math.floor(Date.now() / 1000) + DOWNLOAD_LINK_SECONDS
    const path = `${STORAGE_PREFIX}${this.repository.id}/${asset.storageKey}`
    const query = new URLSearchParams({
      se: String(expires),
      rscd: `attachment; filename=${asset.name}`,
      rsct: 'application/octet-stream',
      sig: this.sign(path, expires)
    })
    return `${this.uploads}${path}?${query}`
  }

  /**
   * The asset a storage link names, if its signature holds and it has not expired.
   * @param {URL} url
   * @returns {{ asset: StoredAsset } | { refusal: string }}
   */
  resolveDownload(url) {
    const expires = Number(url.searchParams.get('se'))
    const expected = this.sign(url.pathname, expires)
    if (url.searchParams.get('sig') !== expected) return { refusal: 'AuthenticationFailed' }
    if (!(expires * 1000 > Date.now())) return { refusal: 'AuthenticationFailed: link expired' }
    const key = url.pathname.split('/').at(-1)
    const asset = [...this.assets.values()].find(a => a.storageKey === key)
    return asset ? { asset } : { refusal: 'BlobNotFound' }
  }

  sign(/** @type {string} */ path, /** @type {number} */ expires) {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest('base64url')
  }

  /** Every release as a test inspects it: flags, and each asset's bytes or digest. */
  snapshot() {
    return [...this.byId.values()].map(release => ({
      id: release.id,
      tag: release.tag,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      make_latest: release.makeLatest,
      latest: this.latestId === release.id,
      assets: release.assets.map(asset => ({
        id: asset.id,
        name: asset.name,
        requested_name: asset.requestedName,
        label: asset.label,
        content_type: asset.contentType,
        size: asset.size,
        sha256: asset.sha256,
        state: asset.state,
        browser_download_url: this.assetObject(asset).browser_download_url,
        ...(asset.bytes && { bytes: Buffer.from(asset.bytes) })
      }))
    }))
  }

  /**
   * Pre-seeds a release with its assets, as if created and uploaded earlier.
   * @param {ReleaseSeed} seed
   */
  seed({ assets = [], ...seed }) {
    const release = this.create(seed)
    for (const { name, label, content_type, data } of assets) {
      const bytes = Buffer.from(data)
      this.addAsset(release, {
        requestedName: name,
        label: label ?? null,
        contentType: content_type ?? 'application/octet-stream',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes
      })
    }
    return this.object(release)
  }
}

/**
 * The REST handlers of releases on the API host. Uploads are not among them: GitHub takes an
 * asset's bytes on the host `upload_url` names (see `Upload`).
 * @type {Record<string, (repository: RepositoryView & { releases: Releases }, call: Call) => Answer>}
 */
export const RELEASE_HANDLERS = {
  'GET /repos/{owner}/{repo}/releases': (repository, call) => {
    const { releases } = repository
    const newestFirst = [...releases.byId.values()].reverse()
    return repository.page(
      call,
      newestFirst.map(release => releases.object(release))
    )
  },
  'POST /repos/{owner}/{repo}/releases': ({ releases }, { body, docsUrl }) => {
    const refused = refuseRelease(releases, body, docsUrl)
    if (refused) return refused
    const release = releases.object(releases.create({ ...body, tag: body.tag_name }))
    return { status: 201, body: release, headers: { location: release.url } }
  },
  'GET /repos/{owner}/{repo}/releases/latest': ({ releases }, { docsUrl }) => {
    const latest = releases.latestId === null ? undefined : releases.byId.get(releases.latestId)
    return latest ? { status: 200, body: releases.object(latest) } : notFound(docsUrl)
  },
  'GET /repos/{owner}/{repo}/releases/tags/{tag}': ({ releases }, { params, docsUrl }) => {
    const release = releases.byTag(params.tag ?? '')
    return release ? { status: 200, body: releases.object(release) } : notFound(docsUrl)
  },
  'GET /repos/{owner}/{repo}/releases/{release_id}': ({ releases }, { params, docsUrl }) => {
    const release = releases.byId.get(Number(params.release_id))
    return release ? { status: 200, body: releases.object(release) } : notFound(docsUrl)
  },
  'GET /repos/{owner}/{repo}/releases/{release_id}/assets': (repository, call) => {
    const { releases } = repository
    const release = releases.byId.get(Number(call.params.release_id))
    if (!release) return notFound(call.docsUrl)
    return repository.page(
      call,
      release.assets.map(asset => releases.assetObject(asset))
    )
  },
  'GET /repos/{owner}/{repo}/releases/assets/{asset_id}': ({ releases }, call) => {
    const asset = releases.assets.get(Number(call.params.asset_id))
    if (!asset) return notFound(call.docsUrl)
    // GitHub sends the bytes from its storage: the API answers with a short-lived link there.
    if (/application\/octet-stream/i.test(call.accept)) {
      return { status: 302, headers: { location: releases.downloadUrl(asset) } }
    }
    return { status: 200, body: releases.assetObject(asset) }
  },
  'DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}': ({ releases }, { params, docsUrl }) =>
    releases.deleteAsset(Number(params.asset_id)) ? { status: 204 } : notFound(docsUrl)
}

/**
 * GitHub's 422 answers to a release it will not create: a tag that already has one, or a tag
 * name git would refuse.
 * @param {Releases} releases
 * @param {{ tag_name: string, draft?: boolean }} body
 * @param {string} docsUrl
 * @returns {Answer | undefined}
 */
function refuseRelease(releases, { tag_name: tag, draft }, docsUrl) {
  if ([...releases.byId.values()].some(release => release.tag === tag)) {
    return validationFailed(
      { resource: 'Release', code: 'already_exists', field: 'tag_name' },
      docsUrl
    )
  }
  if (!wellFormedTag(tag)) {
    const custom = (/** @type {string} */ message, field = 'tag_name') => ({
      resource: 'Release',
      code: 'custom',
      ...(field && { field }),
      message
    })
    return validationFailed(
      custom('tag_name is not a valid tag'),
      docsUrl,
      custom('tag_name is not well-formed'),
      ...(draft ? [] : [custom('Published releases must have a valid tag', '')])
    )
  }
  return undefined
}

/**
 * One upload to the upload host: its checks in GitHub's order, made when the request's head
 * arrives, then its bytes counted, hashed and (unless the stand-in keeps none) kept.
 */
export class Upload {
  /**
   * @param {{ releases: Releases, release: StoredRelease | undefined, name: string | undefined,
   *   label: string | undefined, contentType: string | undefined,
   *   contentLength: string | undefined, refusal: Answer | undefined }} start
   */
  constructor({ releases, release, name, label, contentType, contentLength, refusal }) {
    this.releases = releases
    this.release = release
    this.name = name
    this.label = label
    this.contentType = contentType
    this.contentLength = contentLength
    /** @type {Answer | undefined} */
    this.answer = refusal ?? this.check()
    this.hash = createHash('sha256')
    this.size = 0
    /** @type {Buffer[] | null} */
    this.chunks = releases.keepAssetBytes ? [] : null
  }

  /** @returns {Answer | undefined} */
  check() {
    if (!this.release) return notFound(DOCS_UPLOAD)
    if (!this.contentLength) {
      return plainError(400, `Bad Content-Length: ${this.contentLength ?? ''}`)
    }
    if (!this.contentType) return plainError(400, "Invalid Content-Type: ''")
    if (!this.name) {
      return validationFailed({ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' })
    }
    return this.releases.refuseUpload(this.release, this.name)
  }

  /** Bytes of a refused upload are read and dropped, so the client sees the answer. */
  write(/** @type {Buffer} */ chunk) {
    if (this.answer) return
    this.size += chunk.length
    this.hash.update(chunk)
    this.chunks?.push(chunk)
  }

  /** @returns {{ answer: Answer, asset?: StoredAsset }} */
  finish() {
    if (this.answer) return { answer: this.answer }
    const release = /** @type {StoredRelease} */ (this.release)
    // Another upload of the same name may have finished while these bytes arrived.
    const refused = this.releases.refuseUpload(release, /** @type {string} */ (this.name))
    if (refused) return { answer: refused }
    const asset = this.releases.addAsset(release, {
      requestedName: /** @type {string} */ (this.name),
      label: this.label ?? null,
      contentType: /** @type {string} */ (this.contentType),
      size: this.size,
      sha256: this.hash.digest('hex'),
      bytes: this.chunks ? Buffer.concat(this.chunks) : null
    })
    return { answer: { status: 201, body: this.releases.assetObject(asset) }, asset }
  }
}

/** @returns {Answer} */
function notFound(/** @type {string} */ docsUrl) {
  return { status: 404, body: { message: 'Not Found', documentation_url: docsUrl, status: '404' } }
}

/** The upload host's answers to a malformed request carry only a message. */
function plainError(/** @type {number} */ status, /** @type {string} */ message) {
  return { status, body: { message, request_id: requestIdLike() } }
}

/**
 * @param {Record<string, string>} problem
 * @param {string} [docsUrl]
 * @param {Record<string, string>[]} more
 * @returns {Answer}
 */
function validationFailed(problem, docsUrl = DOCS_UPLOAD, ...more) {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [problem, ...more],
      documentation_url: docsUrl,
      status: '422'
    }
  }
}

function requestIdLike() {
  return randomBytes(8).toString('hex').toUpperCase().match(/.{4}/g)?.join(':') ?? ''
}

/** GitHub's timestamps have whole seconds. */
function timestamp() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}
