// The GitHub stand-in is refereed by an extract of GitHub's OpenAPI description committed in
// stand-ins/openapi/ (the whole description is 70 MB); `npm run refresh-openapi` rewrites it.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { IMPLEMENTED_ROUTES } from '../../stand-ins/github.js'
import { EXTRACT_FILE, loadDescription } from '../../stand-ins/github-openapi.js'
import { extractFrom, serialize } from '../../stand-ins/openapi/extract.js'

const committed = JSON.parse(readFileSync(EXTRACT_FILE, 'utf8'))

describe('the committed extract', () => {
  it('has the schemas of every route the stand-in serves', () => {
    expect(IMPLEMENTED_ROUTES.filter(route => !committed.operations[route])).toEqual([])
  })

  it('says which description it was cut from', () => {
    expect(committed.source).toMatchObject({
      package: '@octokit/openapi',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      file: 'generated/api.github.com.deref.json'
    })
    expect(committed.routes.length).toBeGreaterThan(1000)
  })

  it('is what the refresh script writes, so a refresh shows only real changes', () => {
    expect(serialize(committed)).toBe(readFileSync(EXTRACT_FILE, 'utf8'))
  })

  it('tells a contributor who adds a route to refresh it', async () => {
    await expect(
      loadDescription([...IMPLEMENTED_ROUTES, 'GET /repos/{owner}/{repo}/branches'])
    ).rejects.toThrow(
      /github-extract\.json \(@octokit\/openapi@[\d.]+\) lacks GET \/repos\/\{owner\}\/\{repo\}\/branches, which the GitHub stand-in serves: run `npm run refresh-openapi`/
    )
  })
})

describe('cutting the extract from the description', () => {
  const source = { package: '@octokit/openapi', version: '1.0.0', file: 'x.json', integrity: null }
  const description = {
    paths: {
      '/repos/{owner}/{repo}/releases': {
        parameters: [],
        get: {
          operationId: 'repos/list-releases',
          externalDocs: { url: 'https://docs.github.com/rest/releases#list' },
          description: 'Long prose that the checks never read.',
          parameters: [{ name: 'per_page', in: 'query', schema: { type: 'integer' }, example: 5 }],
          responses: {
            '200': {
              description: 'Response',
              content: {
                'application/json': {
                  schema: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        name: { type: 'string', example: 'v1.0.0' },
                        examples: { type: 'array' }
                      },
                      examples: [{ name: 'v1.0.0' }]
                    }
                  },
                  examples: { default: { value: [{ name: 'v1.0.0' }] } }
                }
              }
            }
          }
        },
        post: {
          operationId: 'repos/create-release',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['tag_name'] } } }
          },
          responses: { '201': { description: 'Created' } }
        }
      },
      '/repos/{owner}/{repo}/contents/{path}': {
        get: {
          operationId: 'repos/get-content',
          parameters: [{ name: 'path', in: 'path', 'x-multi-segment': true }],
          responses: { '200': { description: 'Response' } }
        }
      }
    }
  }

  it('keeps every route, in the description order, and the schemas of the wanted ones only', () => {
    const extract = extractFrom(description, ['GET /repos/{owner}/{repo}/releases'], source)

    expect(extract.routes).toEqual([
      ['GET', '/repos/{owner}/{repo}/releases', []],
      ['POST', '/repos/{owner}/{repo}/releases', []],
      ['GET', '/repos/{owner}/{repo}/contents/{path}', ['path']]
    ])
    expect(extract.source).toEqual(source)
    expect(extract.operations).toEqual({
      'GET /repos/{owner}/{repo}/releases': {
        operationId: 'repos/list-releases',
        docsUrl: 'https://docs.github.com/rest/releases#list',
        parameters: [{ name: 'per_page', in: 'query', schema: { type: 'integer' } }],
        requestBody: null,
        responses: {
          '200': {
            type: 'array',
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, examples: { type: 'array' } }
            }
          }
        }
      }
    })
  })

  it('takes operation ids as well as routes', () => {
    const extract = extractFrom(description, ['repos/create-release'], source)
    expect(extract.operations).toEqual({
      'POST /repos/{owner}/{repo}/releases': expect.objectContaining({
        requestBody: { required: true, schema: { type: 'object', required: ['tag_name'] } },
        responses: { '201': null }
      })
    })
  })

  it('names what the description lacks', () => {
    expect(() =>
      extractFrom(description, ['DELETE /repos/{owner}/{repo}/releases', 'repos/nope'], source)
    ).toThrow('@octokit/openapi@1.0.0 has no DELETE /repos/{owner}/{repo}/releases, repos/nope')
  })
})
