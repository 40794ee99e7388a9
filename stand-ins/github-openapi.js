// GitHub's own REST description (@octokit/openapi) as a referee for the GitHub stand-in: it matches
// request paths to operations and checks requests, and the stand-in's answers, against the schemas.

import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'

const require = createRequire(import.meta.url)
const PACKAGE_DIR = path.dirname(require.resolve('@octokit/openapi/package.json'))
const DESCRIPTION_FILE = path.join(PACKAGE_DIR, 'generated', 'api.github.com.deref.json')
const CACHE_DIR = path.join(PACKAGE_DIR, '..', '..', '.cache', 'github-stand-in')

/** @typedef {{ name: string, in: string, required?: boolean, schema?: object }} Parameter */
/**
 * The parts of one operation the checks need, with OpenAPI 3.0 schemas already turned into JSON
 * Schema.
 * @typedef {{ operationId: string, docsUrl: string, parameters: Parameter[],
 *   requestBody: { required: boolean, schema: object } | null,
 *   responses: Record<string, object | null> }} Operation
 */
/** @typedef {{ route: string, template: string, params: Record<string, string> }} Match */

/** @type {Map<string, Promise<Description>>} */
const loaded = new Map()

/**
 * The description, loaded once per process: from a small cache of the operations the stand-in
 * serves when there is one, else from the 70 MB description, whose parse takes about a second.
 * @param {string[]} implemented routes such as `GET /repos/{owner}/{repo}/pulls/{pull_number}`
 * @returns {Promise<Description>}
 */
export function loadDescription(implemented) {
  const key = [...implemented].sort().join('\n')
  let description = loaded.get(key)
  if (!description) {
    description = readExtract(implemented, key)
    loaded.set(key, description)
  }
  return description
}

/** @param {string[]} implemented @param {string} key */
async function readExtract(implemented, key) {
  const { version } = require('@octokit/openapi/package.json')
  const digest = createHash('sha256').update(key).digest('hex')
  const cacheFile = path.join(CACHE_DIR, `${version}-${digest.slice(0, 16)}.json`)
  let extract
  try {
    extract = JSON.parse(await fs.promises.readFile(cacheFile, 'utf8'))
  } catch {
    const whole = JSON.parse(await fs.promises.readFile(DESCRIPTION_FILE, 'utf8'))
    extract = extractFrom(whole, implemented)
    writeCache(cacheFile, extract)
  }
  return new Description(extract)
}

/**
 * Every route GitHub has (to tell an unknown path from one the stand-in lacks), and the full
 * operation objects of the implemented ones.
 * @param {any} description
 * @param {string[]} implemented
 */
function extractFrom(description, implemented) {
  /** @type {[string, string, string[]][]} */
  const routes = []
  /** @type {Record<string, object>} */
  const operations = {}
  for (const [template, item] of Object.entries(description.paths)) {
    for (const [method, operation] of Object.entries(/** @type {Record<string, any>} */ (item))) {
      if (!operation?.responses) continue
      const parameters = operation.parameters ?? []
      const multiSegment = parameters.filter(p => p['x-multi-segment']).map(p => p.name)
      const route = `${method.toUpperCase()} ${template}`
      routes.push([method.toUpperCase(), template, multiSegment])
      if (implemented.includes(route)) operations[route] = slim(operation)
    }
  }
  return { routes, operations }
}

/** Drops the examples and prose, which are most of an operation's size. */
function slim(/** @type {any} */ operation) {
  /** @type {Record<string, object | null>} */
  const responses = {}
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = /** @type {any} */ (response).content?.['application/json']?.schema ?? null
  }
  const body = operation.requestBody
  return {
    operationId: operation.operationId,
    docsUrl: operation.externalDocs?.url ?? 'https://docs.github.com/rest',
    parameters: (operation.parameters ?? []).map(
      (/** @type {any} */ { name, in: where, required, schema }) => ({
        name,
        in: where,
        required,
        schema
      })
    ),
    requestBody: body
      ? { required: Boolean(body.required), schema: body.content['application/json']?.schema }
      : null,
    responses
  }
}

/** Writes through a temporary file, so parallel test workers never read half a cache. */
function writeCache(/** @type {string} */ file, /** @type {object} */ extract) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const temporary = `${file}.${process.pid}.tmp`
    fs.writeFileSync(temporary, JSON.stringify(extract))
    fs.renameSync(temporary, file)
  } catch {
    // A read-only tree only costs the next process the slow path.
  }
}

/**
 * OpenAPI 3.0 marks `null` with `nullable: true`; JSON Schema wants it in `type` (or `enum`).
 * Examples and defaults are data, not schemas, and are left alone.
 * @param {any} schema
 * @returns {any}
 */
export function toJsonSchema(schema) {
  if (Array.isArray(schema)) return schema.map(toJsonSchema)
  if (schema === null || typeof schema !== 'object') return schema
  /** @type {Record<string, unknown>} */
  const converted = {}
  for (const [key, value] of Object.entries(schema)) {
    const isData = key === 'example' || key === 'examples' || key === 'default' || key === 'enum'
    converted[key] = isData ? value : toJsonSchema(value)
  }
  return converted.nullable === true ? allowNull(converted) : converted
}

/** @param {Record<string, any>} schema */
function allowNull({ nullable: _nullable, ...schema }) {
  if (Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum = [...schema.enum, null]
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] }
  if (schema.type === undefined) return { anyOf: [{ type: 'null' }, schema] }
  return schema
}

/** The description's formats ajv-formats lacks; GitHub documents them but checks them loosely. */
const EXTRA_FORMATS = { 'repo.nwo': true }

function createAjv(/** @type {object} */ options = {}) {
  const ajv = new Ajv({ strict: false, allErrors: true, formats: EXTRA_FORMATS, ...options })
  addFormats(ajv)
  return ajv
}

/** Route matching and schema checks over an extract of the description. */
export class Description {
  /** @param {{ routes: [string, string, string[]][], operations: Record<string, Operation> }} extract */
  constructor(extract) {
    this.routes = extract.routes
      .map(([method, template, multiSegment]) => ({
        method,
        template,
        ...compileTemplate(template, multiSegment)
      }))
      .sort((a, b) => b.literals - a.literals)
    /** @type {Map<string, Operation>} */
    this.operations = new Map(
      Object.entries(extract.operations).map(([route, op]) => [route, toJsonSchema(op)])
    )
    this.ajv = createAjv()
    // Query strings and path segments arrive as text: `per_page=abc` must fail, `per_page=5` pass.
    this.coercingAjv = createAjv({ coerceTypes: 'array' })
    /** @type {Map<string, import('ajv').ValidateFunction>} */
    this.validators = new Map()
  }

  /**
   * The operation a request is for: the most literal template wins, as GitHub routes
   * `/issues/comments` before `/issues/{issue_number}`.
   * @returns {{ match: Match | null, pathKnown: boolean }}
   */
  match(/** @type {string} */ method, /** @type {string} */ pathname) {
    let pathKnown = false
    for (const route of this.routes) {
      const found = route.regex.exec(pathname)
      if (!found) continue
      pathKnown = true
      if (route.method !== method) continue
      /** @type {Record<string, string>} */
      const params = {}
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1] ?? '')))
      return {
        match: { route: `${method} ${route.template}`, template: route.template, params },
        pathKnown
      }
    }
    return { match: null, pathKnown }
  }

  /** @param {string} route */
  operation(route) {
    return this.operations.get(route)
  }

  /**
   * What in a request's path and query GitHub's description does not allow. GitHub itself ignores
   * unknown query parameters, which is why a mistyped one would pass unnoticed there.
   * @param {string} route
   * @param {{ params: Record<string, string>, query: Record<string, string> }} request
   * @returns {string[]}
   */
  checkParameters(route, { params, query }) {
    if (!this.operations.has(route)) return []
    return [
      ...this.check(`${route} path`, this.parameterValidator(route, 'path'), { ...params }),
      ...this.check(`${route} query`, this.parameterValidator(route, 'query'), { ...query })
    ]
  }

  /**
   * What in a request's body GitHub's description does not allow (`undefined`: no body).
   * @param {string} route
   * @param {unknown} body
   * @returns {string[]}
   */
  checkBody(route, body) {
    const operation = this.operations.get(route)
    if (!operation) return []
    const expected = operation.requestBody
    if (!expected) return body === undefined ? [] : [`${route}: sends a body GitHub does not take`]
    if (body === undefined) return expected.required ? [`${route}: body required`] : []
    return this.check(`${route} body`, this.compiled(`${route} body`, expected.schema), body)
  }

  /**
   * What in the stand-in's own answer the description does not allow. A status the description
   * does not list (a 401, a 403 rate limit) is GitHub's too, and has no schema to check.
   * @returns {string[]}
   */
  checkResponse(
    /** @type {string} */ route,
    /** @type {number} */ status,
    /** @type {unknown} */ body
  ) {
    const schema = this.operations.get(route)?.responses[String(status)]
    if (!schema) return []
    return this.check(
      `${route} → ${status} response`,
      this.compiled(`${route} ${status}`, schema),
      body
    )
  }

  /** @param {string} route @param {'path' | 'query'} where */
  parameterValidator(route, where) {
    const key = `${route} ${where}`
    const cached = this.validators.get(key)
    if (cached) return cached
    const parameters = /** @type {Operation} */ (this.operations.get(route)).parameters.filter(
      p => p.in === where
    )
    const validate = this.coercingAjv.compile({
      type: 'object',
      properties: Object.fromEntries(parameters.map(p => [p.name, p.schema ?? {}])),
      required: parameters.filter(p => p.required).map(p => p.name),
      additionalProperties: false
    })
    this.validators.set(key, validate)
    return validate
  }

  /** Compiling the larger schemas takes tens of milliseconds, so each is compiled once. */
  compiled(/** @type {string} */ key, /** @type {object} */ schema) {
    let validate = this.validators.get(key)
    if (!validate) {
      validate = this.ajv.compile(schema)
      this.validators.set(key, validate)
    }
    return validate
  }

  /** @param {string} what @param {import('ajv').ValidateFunction} validate @param {unknown} data */
  check(what, validate, data) {
    if (validate(data)) return []
    return (validate.errors ?? []).slice(0, 5).map(error => {
      const where = error.instancePath || '(root)'
      const extra = error.params.additionalProperty ? ` '${error.params.additionalProperty}'` : ''
      return `${what}: ${where} ${error.message}${extra}`
    })
  }
}

/**
 * @param {string} template
 * @param {string[]} multiSegment parameters that may hold slashes, like `basehead` or a file path
 */
function compileTemplate(template, multiSegment) {
  /** @type {string[]} */
  const names = []
  const source = template
    .split(/(\{[^}]+\})/)
    .map(part => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1]
      if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      names.push(name)
      return multiSegment.includes(name) ? '(.+)' : '([^/]+)'
    })
    .join('')
  const literals = template.split('/').filter(segment => segment && !segment.startsWith('{')).length
  return { regex: new RegExp(`^${source}$`), names, literals }
}
