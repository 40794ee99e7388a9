// GitHub's refusals, told in words a workflow author can act on.
import { describe, expect, it } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  MAX_GITHUB_ANSWER_BYTES,
  boundedFetch,
  createGitHubClient,
  explainGitHubError
} from '../../src/github/client.js'

const refused = (status: number, message: string) => Object.assign(new Error(message), { status })

describe('explainGitHubError', () => {
  it('names the permission to grant when GitHub answers 403 or 404', () => {
    for (const status of [403, 404]) {
      expect(
        explainGitHubError(
          refused(status, 'Not accessible'),
          'Listing files',
          'pull-requests: read'
        )
      ).toBe(
        `Listing files: HTTP ${status} (Not accessible). The token needs \`pull-requests: read\`: grant it in the workflow's \`permissions:\` block (a pull request from a fork always gets a read-only token)`
      )
    }
  })

  it('says the token itself was refused on 401', () => {
    expect(explainGitHubError(refused(401, 'Bad credentials'), 'Comparing', 'contents: read')).toBe(
      'Comparing: the github-token was refused (Bad credentials)'
    )
  })

  it('blames a rate limit, not a permission, for a 403 secondary rate limit', () => {
    const limited = refused(
      403,
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
    )
    expect(explainGitHubError(limited, 'Writing the comment', 'pull-requests: write')).toBe(
      "Writing the comment: GitHub's rate limit refused it (HTTP 403: You have exceeded a secondary rate limit. Please wait a few minutes before you try again.); a later run can try again"
    )
  })

  it('passes other failures on with what was being done', () => {
    expect(explainGitHubError(refused(500, 'Server Error'), 'Comparing', 'contents: read')).toBe(
      'Comparing: Server Error'
    )
  })
})

/** A loopback server answering every request with `body`, announced or not. */
async function serving(body: Buffer, announce: boolean) {
  const server = createServer((_, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(announce ? { 'content-length': body.length } : {})
    })
    res.end(body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() }
}

describe('GitHub answers', () => {
  it.each([
    ['announced', true],
    ['streamed', false]
  ])('fail a call, not the process, past 8 MiB (%s)', async (_, announce) => {
    const huge = Buffer.from(`{"body":"${'x'.repeat(MAX_GITHUB_ANSWER_BYTES)}"}`)
    const server = await serving(huge, announce)
    try {
      const read = boundedFetch()(server.url).then(response => response.text())
      await expect(read).rejects.toThrow(/larger than 8388608 bytes/)
    } finally {
      server.close()
    }
  })

  it('are read whole up to the cap', async () => {
    const server = await serving(Buffer.from('{"ok":true}'), false)
    try {
      expect(await (await boundedFetch()(server.url)).json()).toEqual({ ok: true })
    } finally {
      server.close()
    }
  })

  it('end at once when the signal ends the run', async () => {
    const server = createServer(() => {}) // never answers
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const stop = new AbortController()
    try {
      const call = boundedFetch(stop.signal)(`http://127.0.0.1:${port}`)
      setTimeout(() => stop.abort('cancelled'), 20)
      await expect(call).rejects.toBeDefined()
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('through Octokit, an oversized page is an error of that call', async () => {
    const huge = Buffer.from(`[{"body":"${'x'.repeat(MAX_GITHUB_ANSWER_BYTES)}"}]`)
    const server = await serving(huge, false)
    const previous = process.env.GITHUB_API_URL
    process.env.GITHUB_API_URL = server.url
    try {
      const github = createGitHubClient('ghs_test', { warn: () => {} })
      const call = github.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'o',
        repo: 'r',
        issue_number: 1,
        request: { retries: 0 }
      })
      await expect(call).rejects.toThrow(/larger than 8388608 bytes/)
    } finally {
      process.env.GITHUB_API_URL = previous
      server.close()
    }
  })
})
