// GitHub's own REST description as a referee for the GitHub stand-in: it matches request paths
// to operations and checks requests, and the stand-in's answers, against the schemas. It reads
// the extract of @octokit/openapi committed in stand-ins/openapi/ (`npm run refresh-openapi`).

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'

export const EXTRACT_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'openapi',
  'github-extract.json'
)

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
 * The description of the routes the stand-in serves, read once per process: its schemas are
 * compiled as they are first needed, and kept.
 * @param {string[]} implemented routes such as `GET /repos/{owner}/{repo}/pulls/{pull_number}`
 * @returns {Promise<Description>}
 */
export function loadDescription(implemented) {
  const key = [...implemented].sort().join('\n')
  let description = loaded.get(key)
  if (!description) {
    description = readExtract(implemented)
    loaded.set(key, description)
  }
  return description
}

/** @param {string[]} implemented */
async function readExtract(implemented) {
  /** @type {import('./openapi/extract.js').Extract} */
  const { source, routes, operations } = JSON.parse(
    await fs.promises.readFile(EXTRACT_FILE, 'utf8')
  )
  const missing = implemented.filter(route => !(route in operations))
  if (missing.length) {
    throw new Error(
      `${path.basename(EXTRACT_FILE)} (${source.package}@${source.version}) lacks ` +
        `${missing.join(', ')}, which the GitHub stand-in serves: run \`npm run refresh-openapi\``
    )
  }
  return new Description({ routes, operations })
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
