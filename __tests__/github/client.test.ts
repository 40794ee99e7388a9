// GitHub's refusals, told in words a workflow author can act on.
import { describe, expect, it } from '@jest/globals'
import { explainGitHubError } from '../../src/github/client.js'

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

  it('passes other failures on with what was being done', () => {
    expect(explainGitHubError(refused(500, 'Server Error'), 'Comparing', 'contents: read')).toBe(
      'Comparing: Server Error'
    )
  })
})
