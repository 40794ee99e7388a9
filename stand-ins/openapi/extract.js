// Cuts GitHub's REST description (70 MB) down to what the GitHub stand-in is checked against:
// every route GitHub has, and the full request and response schemas of the routes it serves.
// `npm run refresh-openapi` writes the result to github-extract.json, which is committed.

/**
 * @typedef {{ package: string, version: string, file: string, integrity: string | null }} Source
 * @typedef {{ source: Source, routes: [string, string, string[]][],
 *   operations: Record<string, object> }} Extract
 */

/**
 * @param {any} description GitHub's dereferenced OpenAPI description
 * @param {string[]} wanted routes such as `GET /repos/{owner}/{repo}/pulls/{pull_number}`, or
 *   operation ids such as `pulls/get`
 * @param {Source} source where the description came from
 * @returns {Extract}
 */
export function extractFrom(description, wanted, source) {
  // In the description's order, which decides between templates that match alike.
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
      if (wanted.includes(route) || wanted.includes(operation.operationId)) {
        operations[route] = slim(operation)
      }
    }
  }
  const found = new Set(Object.entries(operations).flatMap(([r, op]) => [r, op.operationId]))
  const missing = wanted.filter(w => !found.has(w))
  if (missing.length) {
    throw new Error(`${source.package}@${source.version} has no ${missing.join(', ')}`)
  }
  const sorted = Object.fromEntries(
    Object.entries(operations).sort(([a], [b]) => a.localeCompare(b))
  )
  return { source, routes, operations: sorted }
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
      ? {
          required: Boolean(body.required),
          schema: withoutExamples(body.content['application/json']?.schema)
        }
      : null,
    responses: withoutExamples(responses)
  }
}

/**
 * Schemas keep their structure; `example(s)` are sample data, large and never checked. A property
 * that happens to be named `examples` is kept.
 */
function withoutExamples(/** @type {any} */ value, inProperties = false) {
  if (Array.isArray(value)) return value.map(v => withoutExamples(v))
  if (value === null || typeof value !== 'object') return value
  /** @type {Record<string, unknown>} */
  const kept = {}
  for (const [key, inner] of Object.entries(value)) {
    if (!inProperties && (key === 'example' || key === 'examples')) continue
    const isMap = !inProperties && (key === 'properties' || key === 'patternProperties')
    kept[key] = withoutExamples(inner, isMap)
  }
  return kept
}

/**
 * The extract as text a reviewer can diff after a refresh: one route per line, operations
 * indented.
 * @param {Extract} extract
 */
export function serialize(extract) {
  const routes = extract.routes.map(route => `    ${JSON.stringify(route)}`).join(',\n')
  const operations = JSON.stringify(extract.operations, null, 2).replace(/\n/g, '\n  ')
  return (
    '{\n' +
    `  "source": ${JSON.stringify(extract.source)},\n` +
    `  "routes": [\n${routes}\n  ],\n` +
    `  "operations": ${operations}\n` +
    '}\n'
  )
}
