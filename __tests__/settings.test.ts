// The inputs a user writes in a workflow, read once into typed settings with clear errors.
import { describe, expect, it } from '@jest/globals'
import { DEFAULT_SCRIPTS, readSettings } from '../src/settings.js'

const read = (inputs: Record<string, string>) =>
  readSettings(name => inputs[name] ?? '', { mask: () => {} })

describe('inputs', () => {
  it('masks the API key before it reads any other input', () => {
    const seen: string[] = []
    readSettings(name => (seen.push(`read ${name}`), name === 'api-key' ? ' gmi-KEY ' : ''), {
      mask: secret => seen.push(`mask ${secret}`)
    })
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
      maxDownloadSize: 2 * 1024 ** 3,
      reuse: true,
      maxMinutes: null,
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
    [
      'max-concurrency',
      '2.5',
      /^max-concurrency must be a whole number from 1 to 64, written in decimal \(got "2.5"\)$/
    ],
    ['timeout', '0', /^timeout must be a number of seconds from 1 to 432000, .* \(got "0"\)$/],
    ['mode', 'some', /^mode must be one of changed, all, auto \(got "some"\)$/],
    ['comment-key', 'a b-->', /^comment-key may hold only letters, digits/],
    ['api-url', 'console.gmicloud.ai', /^api-url must be a URL such as https:\/\/console/]
  ])('names the input and the accepted values when %s is %p', (name, value, message) => {
    expect(() => read({ [name]: value })).toThrow(message)
  })

  it.each([
    // Node's timers fire at once past 24.8 days: after the videos were paid for.
    ['timeout', '3000000'],
    ['timeout', '1e9'],
    ['poll-interval', '1e9'],
    ['poll-interval', '86400'],
    ['poll-interval', '0x10'],
    ['poll-interval', 'Infinity'],
    ['poll-interval', '-1'],
    ['max-concurrency', '0x10'],
    ['max-concurrency', '1000']
  ])('refuses %s %p, out of bounds or not decimal', (name, value) => {
    expect(() => read({ [name]: value })).toThrow(
      new RegExp(`^${name} must be .* from .* to .*, written in decimal \\(got "${value}"\\)$`)
    )
  })

  it('takes the largest bounds a job can use', () => {
    expect(
      read({ timeout: '432000', 'poll-interval': '3600', 'max-concurrency': '64' })
    ).toMatchObject({ timeout: 432000, pollInterval: 3600, maxConcurrency: 64 })
  })

  it.each([
    ['2GiB', 2 * 1024 ** 3],
    ['500 MB', 500_000_000],
    ['1.5gib', 1.5 * 1024 ** 3],
    ['1048576', 1024 ** 2],
    ['64GiB', 64 * 1024 ** 3]
  ])('reads max-download-size %p in bytes', (value, bytes) => {
    expect(read({ 'max-download-size': value }).maxDownloadSize).toBe(bytes)
  })

  it.each(['2 GiBs', 'lots', '-1GiB', '1e9', '1000KiB', '65GiB', 'GiB', '0x10MiB'])(
    'refuses max-download-size %p, naming the units it takes',
    value => {
      expect(() => read({ 'max-download-size': value })).toThrow(
        `max-download-size must be a size from 1 MiB to 64 GiB, such as 2GiB or 500MB (B, KB, MB, GB, KiB, MiB, GiB; got "${value}")`
      )
    }
  )

  it.each([
    ['https://user:pass@console.gmicloud.ai', /must not hold a user name or password/],
    [
      'https://console.gmicloud.ai/api/v1/ie/requestqueue/apikey',
      /without a path, query or fragment/
    ],
    ['https://console.gmicloud.ai/?model=x', /without a path, query or fragment/],
    ['http://console.gmicloud.ai', /must be https \(http only on localhost\)/],
    ['ftp://console.gmicloud.ai', /must be https/]
  ])('refuses api-url %p, naming the real cause', (value, cause) => {
    expect(() => read({ 'api-url': value })).toThrow(cause)
  })

  it('never repeats the password of an api-url it refuses', () => {
    expect(() => read({ 'api-url': 'https://user:s3cret@console.gmicloud.ai' })).toThrow(
      'api-url must not hold a user name or password: the key is passed as api-key (got "https://***@console.gmicloud.ai")'
    )
  })

  it.each([
    ['10', 10],
    ['2.5', 2.5],
    [' 0.25 ', 0.25],
    ['.5', 0.5],
    ['600', 600]
  ])('reads max-minutes %p as %p minutes', (value, minutes) => {
    expect(read({ 'max-minutes': value }).maxMinutes).toBe(minutes)
  })

  it.each(['0', '0.0', '-1', 'ten', 'NaN', 'Infinity', '1e3', '0x10', '2,5', '9'.repeat(400)])(
    'refuses max-minutes %p, naming the input and the value',
    value => {
      expect(() => read({ 'max-minutes': value })).toThrow(
        `max-minutes must be a positive number of minutes, such as 10 or 2.5, written in decimal; leave it empty for no cap (got "${value}")`
      )
    }
  )

  it('refuses an allowed-associations that lists no association, or a misspelt one', () => {
    for (const value of [',,,', ' , ', 'MEMBERS', 'OWNER,colaborator']) {
      expect(() => read({ 'allowed-associations': value })).toThrow(
        /^allowed-associations must list author associations among OWNER, MEMBER/
      )
    }
    expect(
      read({ 'allowed-associations': 'owner, first_time_contributor' }).allowedAssociations
    ).toEqual(['OWNER', 'FIRST_TIME_CONTRIBUTOR'])
  })
})

describe('working-directory', () => {
  const inWorkspace = (value: string) =>
    readSettings(name => (name === 'working-directory' ? value : ''), {
      workspace: '/home/runner/work/site/site',
      mask: () => {}
    }).workingDirectory

  it('is the workspace itself when left out', () => {
    expect(inWorkspace('')).toBe('.')
    expect(inWorkspace('.')).toBe('.')
  })

  it('takes a folder relative to the workspace, or an absolute path inside it', () => {
    expect(inWorkspace('pr')).toBe('pr')
    expect(inWorkspace('./pr/site/')).toBe('pr/site')
    expect(inWorkspace('/home/runner/work/site/site/pr')).toBe('pr')
  })

  it.each(['..', '../other', 'pr/../../other', '/home/runner/work/site', '/etc'])(
    'refuses %p, which leads out of the workspace',
    value => {
      expect(() => inWorkspace(value)).toThrow(
        `working-directory must be inside the workspace /home/runner/work/site/site (got "${value}")`
      )
    }
  )

  it('takes a release tag git accepts, and refuses one it does not', () => {
    expect(read({ release: 'avatar-videos' }).release).toBe('avatar-videos')
    expect(read({}).release).toBeNull()
    for (const bad of ['two words', 'a..b', '-dash', 'end/', 'x.lock', 'a:b', 'a\nb']) {
      expect(() => read({ release: bad })).toThrow(/^release must be a tag name git accepts/)
    }
  })

  it('reads release-branches as names or patterns, and refuses what git would not take', () => {
    expect(read({}).releaseBranches).toEqual([])
    expect(
      read({ 'release-branches': 'main, release/*\nrefs/heads/next\n' }).releaseBranches
    ).toEqual(['main', 'release/*', 'next'])
    for (const bad of ['two words', 'a..b', 'a:b', 'end/', 'a~1']) {
      expect(() => read({ 'release-branches': bad })).toThrow(
        /^release-branches must list branch names or patterns/
      )
    }
  })

  it('refuses an artifact-name the artifact service would refuse, before paying', () => {
    for (const bad of ['a/b', 'a:b', 'a*b', 'x\\y']) {
      expect(() => read({ 'artifact-name': bad })).toThrow(/^artifact-name may not hold/)
    }
    expect(read({ 'artifact-name': 'demo videos' }).artifactName).toBe('demo videos')
  })
})

describe('shard and aggregate', () => {
  it('reads shard as this job of the matrix, and leaves one job doing everything by default', () => {
    expect(read({ shard: '2/4' }).shard).toEqual({ index: 2, count: 4 })
    expect(read({ shard: '256/256' }).shard).toEqual({ index: 256, count: 256 })
    expect(read({})).toMatchObject({ shard: null, aggregate: false })
    expect(read({ aggregate: 'true' }).aggregate).toBe(true)
  })

  it.each(['0/4', '5/4', '1/0', '1/257', '2', '2/4/8', '1.5/4', '0x2/4', '-1/4', ' /4', '2 of 4'])(
    'refuses shard %p, saying how it is written',
    value => {
      expect(() => read({ shard: value })).toThrow(
        /^shard must be i\/n, this job's shard and the number of shards, with 1 ≤ i ≤ n ≤ 256, such as \$\{\{ matrix\.shard \}\}\/4 \(got ".*"\)$/
      )
    }
  )

  it('refuses a job that is both a shard and the aggregate', () => {
    expect(() => read({ shard: '1/2', aggregate: 'true' })).toThrow(
      /^shard and aggregate exclude each other/
    )
  })
})
