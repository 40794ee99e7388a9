import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { marker, renderReport, type RenderContext } from '../../src/publish/render.js'
import { decodeState } from '../../src/publish/state.js'
import type { Row } from '../../src/types.js'

const context: RenderContext = {
  commentKey: 'default',
  repoUrl: 'https://github.com/octo/videos',
  headSha: '0123abcd',
  runUrl: 'https://github.com/octo/videos/actions/runs/42',
  artifactUrl: 'https://github.com/octo/videos/actions/runs/42/artifacts/7',
  dryRun: false,
  mediaExpiry: 'Video links may expire after 7 days.',
  final: true
}

const sha = (value: string) => createHash('sha256').update(value).digest('hex')

function row(fields: Partial<Row> = {}): Row {
  const file = fields.file ?? 'videos/intro.md'
  return {
    file,
    status: 'success',
    hash: sha(file),
    request_id: `req-${sha(file).slice(0, 8)}`,
    video_url: `https://storage.example.com/${encodeURIComponent(file)}/video.mp4`,
    thumbnail_url: `https://storage.example.com/${encodeURIComponent(file)}/thumb.jpg`,
    duration: 75,
    error: null,
    media_urls: null,
    video_file: null,
    thumbnail_file: null,
    release_url: null,
    title: 'Welcome',
    estimatedSeconds: 72,
    problems: [],
    ...fields
  }
}

const failed = (fields: Partial<Row> = {}) =>
  row({
    file: 'videos/broken.md',
    status: 'failed',
    video_url: null,
    thumbnail_url: null,
    duration: null,
    error: 'Avatar not found: avatar_id "nobody"',
    ...fields
  })

const invalid = (fields: Partial<Row> = {}) =>
  row({
    file: 'videos/bad.yml',
    status: 'invalid',
    hash: null,
    request_id: null,
    video_url: null,
    thumbnail_url: null,
    duration: null,
    estimatedSeconds: null,
    error: 'speed must be between 0.5 and 1.5',
    problems: [
      {
        file: 'videos/bad.yml',
        line: 3,
        column: 10,
        key: 'scenes.2.speed',
        message: 'must be between 0.5 and 1.5'
      },
      { file: 'videos/bad.yml', line: 7, column: 1, key: 'colour', message: 'unknown key' }
    ],
    ...fields
  })

/** The data rows of the table, each split into cells the way GitHub splits them. */
function tableRows(body: string): string[][] {
  const lines = body.split('\n')
  const head = lines.findIndex(line => line.startsWith('| Video |'))
  if (head < 0) return []
  const end = lines.findIndex((line, i) => i > head && !line.startsWith('|'))
  return lines.slice(head + 2, end < 0 ? undefined : end).map(line =>
    line
      .slice(2, -2)
      .split(/(?<!\\) \| /)
      .map(cell => cell.replace(/\\\|/g, '|'))
  )
}

/**
 * What GitHub parses as markup: the body without fenced code blocks and code spans (whose
 * content it shows literally), nor link destinations and attribute values (which are URLs).
 */
function markup(body: string): string {
  return body
    .replace(/^(`{3,})(?:text|json)\n[\s\S]*?\n\1$/gm, '')
    .replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '')
    .replace(/\]\([^)\s]*\)/g, ']')
    .replace(/="[^"]*"/g, '=""')
}

/** The text GitHub looks for mentions and bare URLs in: markup with entities decoded. */
function decoded(markdown: string): string {
  return markdown.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
}

function rowOf(body: string, file: string): string[] {
  const found = tableRows(body).find(cells => cells[1]?.includes(file))
  if (!found) throw new Error(`no table row for ${file}`)
  return found
}

/** The `<details>` blocks, as their text. */
function detailsBlocks(body: string): string[] {
  return body.match(/<details>[\s\S]*?\n<\/details>/g) ?? []
}

describe('the sticky comment', () => {
  it('shows a finished video as a thumbnail linked to it, with its script, length and request', () => {
    const body = renderReport([row()], context)

    expect(body.split('\n')[0]).toBe('<!-- avatar-video-action:default -->')
    expect(body).toContain('Avatar videos')
    expect(body).toContain('✅ 1 ready · ❌ 0 failed · ⏳ 0 pending')
    const [media, script, status, duration, minutes, request] = rowOf(body, 'videos/intro.md')
    expect(media).toBe(
      '<a href="https://storage.example.com/videos%2Fintro.md/video.mp4">' +
        '<img src="https://storage.example.com/videos%2Fintro.md/thumb.jpg" width="160" alt="Welcome"></a>'
    )
    expect(script).toContain(
      '[` videos/intro.md `](https://github.com/octo/videos/blob/0123abcd/videos/intro.md)'
    )
    expect(script).toContain('Welcome')
    expect(status).toBe('✅ success')
    expect(duration).toBe('1:15')
    expect(minutes).toBe('1.2 / 1.3')
    expect(request).toBe(`\` req-${sha('videos/intro.md').slice(0, 8)} \``)
    expect(detailsBlocks(body)).toEqual([])
  })

  it('links the workflow run and the artifact, and says when media links expire', () => {
    const body = renderReport([row()], context)
    expect(body).toContain('[Workflow run](https://github.com/octo/videos/actions/runs/42)')
    expect(body).toContain('(https://github.com/octo/videos/actions/runs/42/artifacts/7)')
    expect(body).toContain('Video links may expire after 7 days')
  })

  it('leaves the artifact out of the footer when none was uploaded', () => {
    const body = renderReport([row()], { ...context, artifactUrl: null })
    expect(body).not.toContain('/artifacts/')
  })

  it("shows a failed script's reason in its row and in full below the table", () => {
    const longReason = `The render failed.\nStack:\n${'  at frame\n'.repeat(5)}`
    const body = renderReport([failed({ error: longReason })], context)

    expect(body).toContain('✅ 0 ready · ❌ 1 failed')
    const [, , status] = rowOf(body, 'videos/broken.md')
    expect(status).toMatch(/^❌ failed<br>The render failed/)
    const [block] = detailsBlocks(body)
    expect(block).toMatch(/^<details><summary>❌ [^<]*\(1\)[^<]*<\/summary>/)
    expect(block).toContain('[` videos/broken.md `]')
    expect(block).toContain('```text\nThe render failed.\nStack:\n  at frame\n')
  })

  it('lists every problem of an invalid script as file:line:column key: message', () => {
    const body = renderReport([invalid()], context)

    expect(body).toContain('❌ 1 failed')
    expect(rowOf(body, 'videos/bad.yml')[2]).toBe(
      '⚠️ invalid<br>must be between 0&#46;\u200D5 and 1&#46;\u200D5 &#40;and 1 more&#41;'
    )
    const [block] = detailsBlocks(body)
    expect(block).toContain('Invalid scripts (1)')
    expect(block).toContain('videos/bad.yml:3:10 scenes.2.speed: must be between 0.5 and 1.5')
    expect(block).toContain('videos/bad.yml:7:1 colour: unknown key')
  })

  it('counts ready, failed, pending and skipped scripts of a mixed run', () => {
    const rows = [
      row({ file: 'a.md' }),
      row({ file: 'b.md', status: 'reused' }),
      failed({ file: 'c.md' }),
      failed({ file: 'd.md', status: 'cancelled' }),
      failed({ file: 'e.md', status: 'timeout', error: null }),
      invalid({ file: 'f.md' }),
      row({ file: 'g.md', status: 'skipped', video_url: null, thumbnail_url: null }),
      row({ file: 'h.md', pending: true, remoteStatus: 'processing' })
    ]
    const body = renderReport(rows, { ...context, final: false })

    expect(body).toContain('✅ 2 ready · ❌ 4 failed · ⏳ 1 pending · ⏭️ 1 skipped')
    expect(tableRows(body).map(cells => cells[2]?.split('<br>')[0])).toEqual([
      '✅ success',
      '♻️ reused',
      '❌ failed',
      '🚫 cancelled',
      '⌛ timeout',
      '⚠️ invalid',
      '⏭️ skipped',
      '⏳ processing'
    ])
    expect(detailsBlocks(body).map(block => block.match(/<summary>(.*)<\/summary>/)?.[1])).toEqual([
      expect.stringContaining('(3)'),
      expect.stringContaining('(1)')
    ])
    expect(body).toContain('The request queue gave no reason')
    expect(body).toContain('♻️ reused:')
  })

  it('leaves the skipped count out when nothing was skipped', () => {
    expect(renderReport([row()], context)).not.toContain('skipped')
  })

  it('says the live comment is still rendering and shows the queue status of each video', () => {
    const rows = [
      row({ file: 'a.md', pending: true, remoteStatus: 'queued', request_id: null }),
      row({ file: 'b.md', pending: true, remoteStatus: 'processing', request_id: 'req-b' }),
      row({ file: 'c.md', resumed: true })
    ]
    const live = renderReport(rows, { ...context, final: false, artifactUrl: null })

    expect(live).toContain('rendering…')
    expect(live).toContain('⏳ 2 pending')
    expect(rowOf(live, 'a.md')[2]).toBe('⏳ queued')
    expect(rowOf(live, 'b.md')[2]).toBe('⏳ processing')
    expect(rowOf(live, 'c.md')[2]).toBe('✅ success ↩️')
    expect(live).toContain("↩️ resumed: an earlier run's request")
    expect(decodeState(live).find(entry => entry.file === 'b.md')).toMatchObject({
      status: 'pending',
      request_id: 'req-b'
    })

    expect(renderReport(rows, context)).not.toContain('rendering…')
  })

  it('says a dry run submitted nothing, and why', () => {
    const rows = [
      row({ status: 'skipped', request_id: null, video_url: null, thumbnail_url: null })
    ]
    const body = renderReport(rows, {
      ...context,
      dryRun: true,
      notice: 'The author of this pull request (NONE) may not spend the API key.'
    })
    expect(body).toMatch(/Dry run\*\*: nothing was submitted\. The author of this pull request/)
    expect(body).toContain('⏭️ 1 skipped')
  })

  it('writes the job summary without the marker or the hidden state', () => {
    const summary = renderReport([row(), failed()], context, { forSummary: true })
    expect(summary).not.toContain('<!--')
    expect(summary).toContain('✅ 1 ready · ❌ 1 failed')
    expect(tableRows(summary)).toHaveLength(2)
  })

  it('keeps what a later run needs to reuse or resume, for every script with a hash', () => {
    const rows = [row({ file: 'a.md' }), failed({ file: 'b.md' }), invalid({ file: 'c.md' })]
    const saved = decodeState(renderReport(rows, context))
    expect(saved).toHaveLength(2)
    expect(saved).toEqual(
      expect.arrayContaining([
        {
          file: 'a.md',
          hash: sha('a.md'),
          request_id: rows[0]?.request_id,
          status: 'success',
          video_url: rows[0]?.video_url,
          thumbnail_url: rows[0]?.thumbnail_url,
          duration: 75
        },
        expect.objectContaining({ file: 'b.md', status: 'failed' })
      ])
    )
  })

  it('puts the comment key in a marker that cannot close the HTML comment', () => {
    expect(marker('docs')).toBe('<!-- avatar-video-action:docs -->')
    expect(marker('x --> <b>@team</b>')).toBe(
      '<!-- avatar-video-action:x%20--%3E%20%3Cb%3E%40team%3C%2Fb%3E -->'
    )
    expect(marker('a\nb')).toBe('<!-- avatar-video-action:a%0Ab -->')
    expect(marker('a b')).not.toBe(marker('a_b'))
  })

  it('URL-encodes the segments of a script path in its link', () => {
    const body = renderReport([row({ file: 'videos/a b/#1 (draft)?.md' })], context)
    expect(body).toContain('/blob/0123abcd/videos/a%20b/%231%20%28draft%29%3F.md)')
  })

  it('does not link script paths when the head commit is unknown', () => {
    const body = renderReport([row()], { ...context, headSha: null })
    expect(rowOf(body, 'videos/intro.md')[1]).toMatch(/^` videos\/intro\.md `/)
  })
})

describe('hostile text from the pull request or the remote', () => {
  const hostile = [
    '<img src=x onerror=alert(1)>',
    '<b>bold</b>',
    '[click](javascript:alert(1))',
    '![](https://evil.example/pixel.png)',
    '@octocat and @octo-org/team',
    'a | b | c',
    '--> </details> <!--',
    '``` `code` ``',
    '**bold** _em_ # heading',
    'see https://evil.example and www.evil.example #12'
  ].join(' ')

  const body = renderReport(
    [
      failed({ file: `videos/${hostile}.md`, title: hostile, error: hostile }),
      invalid({
        file: 'videos/x.yml',
        problems: [{ file: 'videos/x.yml', line: 1, column: 1, key: '@octocat', message: hostile }]
      })
    ],
    { ...context, notice: hostile, mediaExpiry: hostile, commentKey: '--> @octocat' }
  )

  it('cannot inject HTML, images, links or emphasis', () => {
    const parsed = markup(body)
    expect(parsed).not.toMatch(/<img src=x|<b>|<\/b>|\]\(javascript|!\[|\*\*bold|_em_/)
    expect(parsed.match(/<img/g) ?? []).toHaveLength(0)
    expect(parsed.match(/<\/details>/g)).toHaveLength(2)
    // Our own links only: the script twice (table and details) each, the run and the artifact.
    expect(parsed.match(/\]/g)).toHaveLength(6)
  })

  it('cannot mention anyone or turn a bare URL or issue number into a link', () => {
    const visible = decoded(markup(body))
    expect(visible).toContain('octocat')
    expect(visible).not.toMatch(/@octocat|@octo-org|https:\/\/evil|www\.evil|#12/)
  })

  it('cannot add table cells or rows', () => {
    const rows = tableRows(body)
    expect(rows).toHaveLength(2)
    for (const cells of rows) expect(cells).toHaveLength(6)
  })

  it('cannot close or open an HTML comment', () => {
    const comments = markup(body).match(/<!--[\s\S]*?-->/g) ?? []
    expect(comments).toHaveLength(2)
    expect(comments[0]).toMatch(/^<!-- avatar-video-action:[A-Za-z0-9._%-]+ -->$/)
    expect(comments[1]).toMatch(/^<!-- avatar-video-action-state:v1\.[A-Za-z0-9_-]+ -->$/)
  })

  it('keeps backticks inside a code span longer than any of them', () => {
    const path = rowOf(body, 'videos/')[1] ?? ''
    expect(path).toMatch(/^\[```` videos\/<img src=x .*``` `code` ``.* ````\]\(/)
  })

  it('keeps a multi-line error to one table row, and in full in a code block', () => {
    const report = renderReport([failed({ error: 'first line\r\n| fake | row |\nlast' })], context)
    expect(tableRows(report)).toHaveLength(1)
    expect(rowOf(report, 'broken')[2]).toBe(
      '❌ failed<br>first line &#124; fake &#124; row &#124; last'
    )
    expect(report).toContain('```text\nfirst line\n| fake | row |\nlast\n```')
  })

  it('keeps a code block closed whatever fences the error holds', () => {
    const report = renderReport(
      [failed({ error: 'before\n```\n</details>\n````\nafter' })],
      context
    )
    expect(report).toContain('`````text\nbefore\n```\n</details>\n````\nafter\n`````')
  })
})

describe('media URLs', () => {
  const media = (video: string, thumbnail: string) =>
    rowOf(
      renderReport([row({ video_url: video, thumbnail_url: thumbnail })], context),
      'videos/intro.md'
    )[0]

  it.each([
    'javascript:alert(1)',
    'http://evil.example/video.mp4',
    'data:text/html;base64,PHNjcmlwdD4=',
    'http://127.evil.example/video.mp4',
    'https://user:pass@storage.example.com/video.mp4',
    'not a url'
  ])('does not link or show %s', url => {
    const cell = media(url, url)
    expect(cell).toBe('🔒 unsafe link not shown')
  })

  it.each([
    'http://127.0.0.1:8080/media/video.mp4',
    'http://localhost:3000/video.mp4',
    'http://[::1]:3000/video.mp4'
  ])('links a simulator on the loopback host: %s', url => {
    expect(media(url, url)).toBe(
      `<a href="${url}"><img src="${url}" width="160" alt="Welcome"></a>`
    )
  })

  it('encodes what could close the attribute, the link or the table cell', () => {
    const cell = media(
      'https://storage.example.com/a"b<c>d|e\'f(g)h?x=1&y=2',
      'https://storage.example.com/t.jpg'
    )
    expect(cell).toContain(
      'href="https://storage.example.com/a%22b%3Cc%3Ed%7Ce%27f%28g%29h?x=1&amp;y=2"'
    )
  })

  it('shows the thumbnail alone when only the video link is unsafe', () => {
    expect(media('javascript:alert(1)', 'https://storage.example.com/t.jpg')).toBe(
      '<img src="https://storage.example.com/t.jpg" width="160" alt="Welcome"><br>🔒 unsafe link not shown'
    )
  })
})

describe('many scripts', () => {
  const requestId = (i: number) => `a1b2c3d4-e5f6-7890-abcd-${String(i).padStart(12, '0')}`
  const many = (count: number, urls: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => {
      const file = `videos/course-${String(Math.floor(i / 10)).padStart(2, '0')}/lesson-${i}.md`
      return row({
        file,
        title: `Lesson ${i}: what this part is about`,
        request_id: requestId(i),
        video_url: `${urls(i)}/video.mp4`,
        thumbnail_url: `${urls(i)}/thumbnail.jpg`
      })
    })
  const broken = [5, 250, 499]
  const withFailures = (rows: Row[]) =>
    rows.map((r, i) =>
      broken.includes(i) ? { ...r, status: 'failed' as const, error: `Remote error ${i}` } : r
    )

  it('fits 500 scripts in one comment, keeping failures visible and the state of all 500', () => {
    const rows = withFailures(
      many(500, i => `https://storage.googleapis.com/gmi-videos/${requestId(i)}`)
    )
    const body = renderReport(rows, context)

    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(body).toContain('✅ 497 ready · ❌ 3 failed')
    const shown = tableRows(body)
    const hidden = Number(body.match(/… and (\d+) more scripts: see \[the job summary\]/)?.[1])
    expect(shown.length).toBeGreaterThan(0)
    expect(shown.length + hidden).toBe(500)
    for (const i of broken) expect(rowOf(body, `/lesson-${i}.md`)[2]).toMatch(/^❌ failed/)

    const saved = decodeState(body)
    expect(saved).toHaveLength(500)
    expect(new Set(saved.map(entry => entry.hash))).toEqual(new Set(rows.map(r => r.hash)))
    expect(saved.every(entry => entry.video_url !== null)).toBe(true)
  })

  it('keeps every request id of 500 scripts when their long signed URLs cannot all fit', () => {
    const signature = (i: number) => sha(`sig-${i}`).repeat(8)
    const rows = many(
      500,
      i => `https://storage.googleapis.com/b/${i}?X-Goog-Signature=${signature(i)}&x=`
    )
    const body = renderReport(rows, context)

    expect(body.length).toBeLessThanOrEqual(65_536)
    const saved = decodeState(body)
    expect(saved.map(entry => [entry.file, entry.hash, entry.request_id])).toEqual(
      rows.map(r => [r.file, r.hash, r.request_id])
    )
  })

  it('never exceeds a smaller limit either, showing failures first', () => {
    const rows = withFailures(many(60, i => `https://storage.example.com/${i}`))
    for (const maxLength of [200, 1_000, 4_000, 12_000, 30_000]) {
      const body = renderReport(rows, context, { maxLength })
      expect(body.length).toBeLessThanOrEqual(maxLength)
      if (maxLength >= 12_000) expect(body).toContain('❌ failed<br>Remote error 5')
    }
  })

  it('shows every row when they all fit, with no overflow line', () => {
    const body = renderReport(
      many(20, i => `https://storage.example.com/${i}`),
      context
    )
    expect(tableRows(body)).toHaveLength(20)
    expect(body).not.toContain('more scripts')
  })
})

describe('a dry run', () => {
  const dry = { ...context, dryRun: true, artifactUrl: null }
  const payloadFor = (words: string) => ({
    title: 'Welcome',
    video_inputs: [
      {
        character: { type: 'avatar', avatar_id: 'Daisy' },
        voice: { type: 'text', voice_id: 'v1', input_text: words }
      }
    ]
  })
  const planned = (fields: Partial<Row> = {}) =>
    row({
      status: 'skipped',
      request_id: null,
      video_url: null,
      thumbnail_url: null,
      duration: null,
      estimatedSeconds: 72,
      payload: payloadFor('Hello team.'),
      ...fields
    })

  it('shows the payload each valid script would send and how long it would speak', () => {
    const body = renderReport([planned(), invalid()], dry)

    expect(rowOf(body, 'videos/intro.md')[3]).toBe('≈ 1:12')
    const [, payloads] = detailsBlocks(body)
    expect(payloads).toMatch(/^<details><summary>🧪 What would be sent \(1\)<\/summary>/)
    expect(payloads).toContain('[` videos/intro.md `](https://github.com/octo/videos/blob/')
    expect(payloads).toContain('≈ 1:12 spoken')
    const json = payloads?.match(/```json\n([\s\S]*?)\n```/)?.[1]
    expect(JSON.parse(json ?? 'null')).toEqual(payloadFor('Hello team.'))
  })

  it("shows each scene's exact words above the payload, before anything is paid for", () => {
    const payload = payloadFor('Fast — and cheap… © été: $10, 50% off!')
    const body = renderReport([planned({ payload })], dry)
    const [payloads] = detailsBlocks(body)
    const visible = decoded(payloads ?? '').replaceAll('\u200D', '')
    expect(visible).toContain('\n\n> Fast — and cheap… © été: $10, 50% off!\n\n```json\n')
  })

  it('keeps words that look like markup inside the payload code block', () => {
    const words = '```\n</details> <img src=x> @octocat ````'
    const body = renderReport([planned({ payload: payloadFor(words) })], dry)
    expect(markup(body)).not.toMatch(/<img|@octocat/)
    expect(detailsBlocks(body)).toHaveLength(1)
  })

  it('shows no payload once the scripts were submitted', () => {
    const body = renderReport([planned({ status: 'success' })], context)
    expect(body).not.toContain('What would be sent')
  })

  it('keeps the table lines of 300 scripts when their payloads do not all fit', () => {
    const rows = Array.from({ length: 300 }, (_, i) =>
      planned({ file: `videos/lesson-${i}.md`, payload: payloadFor('Words. '.repeat(200)) })
    )
    const body = renderReport(rows, dry)

    expect(body.length).toBeLessThanOrEqual(65_536)
    const payloads = body.match(/```json/g)?.length ?? 0
    expect(payloads).toBeGreaterThan(0)
    expect(tableRows(body).length).toBeGreaterThan(payloads)
    expect(body).toContain(`🧪 What would be sent (${payloads})`)
  })
})

describe('what the videos say', () => {
  const payloadOf = (...scenes: (string | number)[]) => ({
    title: 'Welcome',
    video_inputs: scenes.map(scene => ({
      character: { type: 'avatar', avatar_id: 'Daisy' },
      voice:
        typeof scene === 'number'
          ? { type: 'silence', duration: scene }
          : { type: 'text', voice_id: 'v1', input_text: scene }
    }))
  })
  const wordsBlock = (body: string) => detailsBlocks(body).find(b => b.includes('🗣️')) ?? ''
  /** The words as a reader sees them: entities decoded, the invisible joiners gone. */
  const read = (markdown: string) => decoded(markdown).replaceAll('\u200D', '')

  it('shows each scene of a finished video word for word, below the table', () => {
    const payload = payloadOf("Welcome to Acme — fast… It's $10/month.", 2, "Let's start.")
    const body = renderReport([row({ payload })], context)

    const block = wordsBlock(body)
    expect(block).toMatch(/^<details><summary>🗣️ What the videos say \(1\)<\/summary>/)
    expect(block).toContain('**[` videos/intro.md `](https://github.com/octo/videos/blob/')
    expect(read(block)).toContain(
      "1. Welcome to Acme — fast… It's $10/month.\n2. _⏸️ 2 s of silence_\n3. Let's start."
    )
  })

  it('quotes the words of a script of one scene', () => {
    const body = renderReport([row({ payload: payloadOf('Hello team.') })], context)
    expect(read(wordsBlock(body))).toContain('\n\n> Hello team.\n\n</details>')
  })

  it('shows the words of videos still rendering and reused, not of failed ones', () => {
    const rows = [
      row({ file: 'videos/a.md', status: 'skipped', pending: true, payload: payloadOf('Aye.') }),
      row({ file: 'videos/b.md', status: 'reused', payload: payloadOf('Bee.') }),
      failed({ payload: payloadOf('Sea.') })
    ]
    const block = read(wordsBlock(renderReport(rows, { ...context, final: false })))
    expect(block).toContain('What the videos say (2)')
    expect(block).toContain('Aye.')
    expect(block).toContain('Bee.')
    expect(block).not.toContain('Sea.')
  })

  it('keeps words that look like markup, links or mentions inert', () => {
    const words = '</details> <img src=x> **bold** [x](https://evil.example) @octocat #12 | a |'
    const body = renderReport([row({ payload: payloadOf(words) })], context)
    const parsed = markup(body)
    expect(parsed).not.toMatch(
      /<img src=x|<\/details> <|\*\*bold|\]\(https:\/\/evil|@octocat|#12(?!\d)/
    )
    expect(detailsBlocks(body)).toHaveLength(1)
    expect(read(wordsBlock(body))).toContain(`> ${words}`)
  })

  it('shortens a long script with a visible mark, saying how much is not shown', () => {
    const long = 'Words words words. '.repeat(300).trim()
    const body = renderReport([row({ payload: payloadOf(long, long) })], context)
    const block = read(wordsBlock(body))
    expect(block).toContain(`1. ${long.slice(0, 2000)} ✂️`)
    expect(block).not.toContain('\n2. ')
    expect(block).toContain(
      `✂️ _Shortened: the first 2000 of ${2 * long.length} characters spoken are shown._`
    )
    const summary = read(
      wordsBlock(
        renderReport([row({ payload: payloadOf(long, long) })], context, { forSummary: true })
      )
    )
    expect(summary).toContain(`1. ${long}\n2. ${long}`)
  })

  it.each([
    [500, false],
    [80, true]
  ])(
    'gives the words only the room left: %i scripts keep as many table rows as without them',
    (count, someWords) => {
      const rows = Array.from({ length: count }, (_, i) =>
        row({
          file: `videos/lesson-${i}.md`,
          request_id: `req-${i}`,
          payload: payloadOf('Words. '.repeat(100))
        })
      )
      const withWords = renderReport(rows, context)
      const without = renderReport(
        rows.map(r => ({ ...r, payload: undefined })),
        context
      )

      expect(withWords.length).toBeLessThanOrEqual(65_536)
      expect(tableRows(withWords)).toHaveLength(tableRows(without).length)
      expect(decodeState(withWords)).toHaveLength(count)
      const said = Number(withWords.match(/What the videos say \((\d+)\)/)?.[1] ?? 0)
      expect(said).toBe(wordsBlock(withWords).match(/^\*\*\[/gm)?.length ?? 0)
      expect(said > 0).toBe(someWords)
    }
  )

  it('shows them all when there is room', () => {
    const rows = Array.from({ length: 5 }, (_, i) =>
      row({ file: `videos/lesson-${i}.md`, payload: payloadOf(`Lesson ${i}.`) })
    )
    expect(wordsBlock(renderReport(rows, context))).toContain('What the videos say (5)')
  })
})

describe('minutes', () => {
  it('totals the minutes generated and the minutes reuse saved', () => {
    const rows = [
      row({ file: 'a.md', duration: 90 }),
      row({ file: 'b.md', status: 'reused', duration: 60 }),
      row({ file: 'c.md', status: 'reused', duration: null, estimatedSeconds: 30 }),
      failed({ file: 'd.md' })
    ]
    const body = renderReport(rows, context)
    expect(body).toContain('🎞️ 1.5 min generated · ♻️ 1.5 min saved by reuse')
    expect(rowOf(body, 'b.md')[2]).toBe('♻️ reused')
  })

  it('says nothing of minutes when nothing was made', () => {
    expect(renderReport([failed()], context)).not.toContain('min generated')
  })
})

describe('the hidden state', () => {
  it('carries what an earlier run saved for scripts this run did not touch, without showing them', () => {
    const carried = (file: string, status = 'success') => ({
      file,
      hash: sha(`old ${file}`),
      request_id: `req-old-${file}`,
      status,
      video_url: `https://storage.example.com/old/${file}.mp4`,
      thumbnail_url: null,
      duration: 12
    })
    const rows = [row({ file: 'a.md' })]
    const body = renderReport(rows, {
      ...context,
      carry: [carried('a.md'), carried('untouched.md'), carried('rendering.md', 'pending')]
    })

    const saved = decodeState(body)
    expect(saved.map(entry => [entry.file, entry.request_id])).toEqual(
      expect.arrayContaining([
        ['a.md', rows[0]?.request_id],
        ['untouched.md', 'req-old-untouched.md'],
        ['rendering.md', 'req-old-rendering.md']
      ])
    )
    expect(saved).toHaveLength(3)
    expect(tableRows(body)).toHaveLength(1)
  })

  it('keeps an earlier video when this run paid for nothing for the same script', () => {
    const earlier = {
      file: 'videos/intro.md',
      hash: sha('videos/intro.md'),
      request_id: 'req-paid-earlier',
      status: 'success',
      video_url: 'https://storage.example.com/intro.mp4',
      thumbnail_url: null,
      duration: 12
    }
    const unpaid = [
      row({ status: 'skipped', request_id: null, video_url: null, thumbnail_url: null }),
      failed({
        file: 'videos/intro.md',
        request_id: null,
        error: 'The request queue refused the API key'
      })
    ]
    for (const unpaidRow of unpaid) {
      const saved = decodeState(renderReport([unpaidRow], { ...context, carry: [earlier] }))
      expect(saved).toEqual([earlier])
    }
  })
})

describe('the job summary', () => {
  it('shows all 500 rows that the comment has no room for, within 1 MB', () => {
    const rows = Array.from({ length: 500 }, (_, i) =>
      row({
        file: `videos/course/lesson-${i}.md`,
        title: `Lesson ${i}: what this part is about`,
        video_url: `https://storage.googleapis.com/b/${i}?X-Goog-Signature=${sha(`${i}`).repeat(8)}`
      })
    )
    const summary = renderReport(rows, context, { forSummary: true })

    expect(tableRows(summary)).toHaveLength(500)
    expect(summary).not.toContain('more scripts')
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1_000_000)
    expect(tableRows(renderReport(rows, context)).length).toBeLessThan(500)
  })

  it('counts its limit in bytes, which text in other scripts takes up to four of', () => {
    const rows = Array.from({ length: 200 }, (_, i) =>
      row({ file: `videos/课程-${i}/第${i}课.md`, title: '🎬'.repeat(50) })
    )
    const summary = renderReport(rows, context, { forSummary: true, maxLength: 30_000 })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(30_000)
    expect(tableRows(summary).length).toBeGreaterThan(0)
  })
})

describe('a video made but not kept', () => {
  it('keeps its success and says why the artifact lacks it', () => {
    const error =
      'Generated, but not saved to the artifact (video: HTTP 403: the media URL may have expired)'
    const body = renderReport([row({ error })], context)
    const status = decoded(rowOf(body, 'videos/intro.md')[2] ?? '').replace(/\u200D/g, '')
    expect(status).toBe(`✅ success<br>⚠️ ${error}`)
    expect(body).toContain('✅ 1 ready · ❌ 0 failed')
    expect(detailsBlocks(body)).toEqual([])
  })
})

describe('what the change did besides scripts', () => {
  it('lists removed scripts as code, never as markup', () => {
    const body = renderReport([row()], {
      ...context,
      removed: ['videos/old.md', 'videos/[x](y).md']
    })
    expect(body).toContain('🗑️ Removed, not generated: ` videos/old.md `, ` videos/[x](y).md `')
  })

  it('links the pull requests a push merged, and only over https', () => {
    const body = renderReport([row()], {
      ...context,
      mergedPulls: [
        { number: 12, url: 'https://github.com/octo/videos/pull/12' },
        { number: 13, url: 'javascript:alert(1)' }
      ]
    })
    expect(body).toContain('🔀 Merged from [#12](https://github.com/octo/videos/pull/12), #13:')
    expect(body).not.toContain('javascript:')
  })
})
