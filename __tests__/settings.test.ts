// The inputs a user writes in a workflow, read once into typed settings with clear errors.
import { describe, expect, it } from '@jest/globals'
import { DEFAULT_SCRIPTS, readSettings } from '../src/settings.js'

const read = (inputs: Record<string, string>) =>
  readSettings(
    name => inputs[name] ?? '',
    () => {}
  )

describe('inputs', () => {
  it('masks the API key before it reads any other input', () => {
    const seen: string[] = []
    readSettings(
      name => (seen.push(`read ${name}`), name === 'api-key' ? ' gmi-KEY ' : ''),
      secret => seen.push(`mask ${secret}`)
    )
    expect(seen.slice(0, 3)).toEqual(['read api-key', 'mask gmi-KEY', 'read dry-run'])
  })

  it("uses the contract's defaults for everything left out", () => {
    expect(read({})).toMatchObject({
      apiUrl: 'https://console.gmicloud.ai',
      model: 'heygen-avatar-4',
      scripts: DEFAULT_SCRIPTS,
      mode: 'auto',
      dimension: '720p',
      caption: false,
      comment: true,
      commentKey: 'default',
      artifact: true,
      artifactName: 'avatar-videos',
      pollInterval: 10,
      timeout: 1800,
      maxConcurrency: 4,
      reuse: true,
      dryRun: false,
      failOnError: true,
      allowedAssociations: ['OWNER', 'MEMBER', 'COLLABORATOR']
    })
  })

  it('reads globs one per line, with exclusions, skipping blank lines', () => {
    expect(read({ scripts: 'videos/**/*.md\n\n!videos/drafts/**\n' }).scripts).toEqual([
      'videos/**/*.md',
      '!videos/drafts/**'
    ])
  })

  it('takes decimal poll intervals and trims the API URL', () => {
    expect(read({ 'poll-interval': '0.5', 'api-url': 'http://127.0.0.1:8080/' })).toMatchObject({
      pollInterval: 0.5,
      apiUrl: 'http://127.0.0.1:8080'
    })
  })

  it.each([
    ['dry-run', 'maybe', /^dry-run must be true or false \(got "maybe"\)$/],
    ['max-concurrency', '2.5', /^max-concurrency must be an integer of at least 1 \(got "2.5"\)$/],
    ['timeout', '0', /^timeout must be a number of at least 1 \(got "0"\)$/],
    ['mode', 'some', /^mode must be one of changed, all, auto \(got "some"\)$/],
    ['comment-key', 'a b-->', /^comment-key may hold only letters, digits/],
    ['api-url', 'console.gmicloud.ai', /^api-url must be an http\(s\) URL$/]
  ])('names the input and the accepted values when %s is %p', (name, value, message) => {
    expect(() => read({ [name]: value })).toThrow(message)
  })
})
