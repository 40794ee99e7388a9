import { describe, expect, it } from '@jest/globals'
import { deflateRawSync } from 'node:zlib'
import { decodeState, encodeState, type SavedEntry } from '../../src/publish/state.js'

const MARKER = '<!-- avatar-video-action:default -->'
/** Milliseconds of CPU this process spent: unlike wall time, not stretched by a busy machine. */
const cpuMs = ({ user, system }: NodeJS.CpuUsage) => (user + system) / 1000

const done: SavedEntry = {
  file: 'videos/intro.md',
  hash: 'ab'.repeat(32),
  request_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  status: 'success',
  video_url: 'https://storage.googleapis.com/bucket/intro.mp4?X-Goog-Signature=abc',
  thumbnail_url: 'http://127.0.0.1:8123/media/intro.jpg',
  duration: 12.5
}
const rendering: SavedEntry = {
  file: 'videos/ünïcode dir/scene 2.yml',
  hash: 'cd'.repeat(32),
  request_id: 'req-2',
  status: 'pending',
  video_url: null,
  thumbnail_url: null,
  duration: null
}

/** A state block holding `value` as its JSON, the way an attacker or a bug could write one. */
function blockOf(value: unknown): string {
  const data = deflateRawSync(Buffer.from(JSON.stringify(value))).toString('base64url')
  return `<!-- avatar-video-action-state:v1.${data} -->`
}

function tuple(entry: SavedEntry): unknown[] {
  return [
    entry.file,
    entry.hash,
    entry.request_id,
    entry.status,
    entry.video_url,
    entry.thumbnail_url,
    entry.duration
  ]
}

describe('the hidden state a later run reads back', () => {
  it('round-trips finished and still-rendering scripts exactly', () => {
    const body = `<!-- avatar-video-action:default -->\nsome table\n\n${encodeState([done, rendering])}`
    expect(decodeState(body)).toEqual([done, rendering])
  })

  it('is one HTML comment of URL-safe characters that markdown shows nothing of', () => {
    expect(encodeState([done, rendering])).toMatch(
      /^<!-- avatar-video-action-state:v1\.[A-Za-z0-9_-]+ -->$/
    )
  })

  it('stays small: 500 scripts with plain media URLs take well under 40,000 characters', () => {
    const entries = Array.from({ length: 500 }, (_, i) => ({
      ...done,
      file: `videos/lesson-${i}/intro.md`,
      hash: i.toString(16).padStart(64, '7'),
      request_id: `a1b2c3d4-e5f6-7890-abcd-${String(i).padStart(12, '0')}`,
      video_url: `https://storage.googleapis.com/gmi-videos/${i}/video.mp4`,
      thumbnail_url: `https://storage.googleapis.com/gmi-videos/${i}/thumbnail.jpg`
    }))
    const block = encodeState(entries)
    expect(block.length).toBeLessThan(40_000)
    expect(decodeState(block)).toEqual(entries)
  })

  it('writes only what it will accept again: an unsafe-scheme URL is saved as null', () => {
    const odd = { ...done, video_url: 'javascript:alert(1)', thumbnail_url: 'not a url' }
    expect(decodeState(encodeState([odd]))).toEqual([
      { ...odd, video_url: null, thumbnail_url: null }
    ])
  })

  it('leaves out an entry whose hash is not a sha256, keeping the others', () => {
    expect(decodeState(encodeState([{ ...done, hash: 'XYZ' }, rendering]))).toEqual([rendering])
  })

  it('reads nothing from a comment without a state block', () => {
    expect(decodeState('')).toEqual([])
    expect(decodeState('<!-- avatar-video-action:default -->\nNo state here')).toEqual([])
  })

  it('reads the state only from the last line, where the action writes it', () => {
    const own = encodeState([done])
    const forged = encodeState([{ ...done, request_id: 'req-of-another-pull-request' }])
    // Text from a pull request shown above the state cannot replace it, nor make it unreadable.
    expect(decodeState(`${MARKER}\n\`${forged}\`\n\n${own}`)).toEqual([done])
    expect(decodeState(`${MARKER}\n${own}\n${own}`)).toEqual([done])
    // A state block anywhere but the last line is not the action's.
    expect(decodeState(`${MARKER}\n${forged}\n\n<sub>footer</sub>`)).toEqual([])
    expect(decodeState(`${MARKER}\ntext ${own}`)).toEqual([])
    // GitHub may hand the body back with CRLF line ends and a trailing newline.
    expect(decodeState(`${MARKER}\r\ntable\r\n${own}\r\n`)).toEqual([done])
  })

  it('reads nothing from a block that is not base64url of deflated JSON', () => {
    expect(decodeState('<!-- avatar-video-action-state:v1.bm90IGRlZmxhdGVk -->')).toEqual([])
    const notJson = deflateRawSync(Buffer.from('{oops')).toString('base64url')
    expect(decodeState(`<!-- avatar-video-action-state:v1.${notJson} -->`)).toEqual([])
    expect(decodeState('<!-- avatar-video-action-state:v2.abc -->')).toEqual([])
  })

  it('reads nothing when any entry looks tampered with', () => {
    const tampered: unknown[] = [
      { file: done.file, hash: done.hash },
      [...tuple(done), 'extra'],
      tuple({ ...done, hash: 'AB'.repeat(32) }),
      tuple({ ...done, hash: `${done.hash}00` }),
      tuple({ ...done, file: '' }),
      tuple({ ...done, file: 'videos/a\nb.md' }),
      tuple({ ...done, status: 'Success <b>' }),
      tuple({ ...done, request_id: 'has spaces in it' }),
      tuple({ ...done, video_url: 'javascript:alert(1)' }),
      tuple({ ...done, thumbnail_url: 'data:image/png;base64,AAAA' }),
      [...tuple(done).slice(0, 6), -1],
      [...tuple(done).slice(0, 6), '12'],
      [done.file, 42, ...tuple(done).slice(2)]
    ]
    for (const entry of tampered) {
      expect(decodeState(blockOf([tuple(rendering), entry]))).toEqual([])
    }
    expect(decodeState(blockOf({ entries: [tuple(done)] }))).toEqual([])
    expect(decodeState(blockOf(null))).toEqual([])
  })

  it('refuses a block that inflates to an absurd size instead of exhausting memory', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 })
    const started = process.cpuUsage()
    expect(
      decodeState(`<!-- avatar-video-action-state:v1.${bomb.toString('base64url')} -->`)
    ).toEqual([])
    expect(cpuMs(process.cpuUsage(started))).toBeLessThan(2000)
  })

  it('never throws, whatever it is given', () => {
    for (const body of [undefined, null, 42, {}, '<!-- avatar-video-action-state:v1. -->']) {
      expect(decodeState(body as unknown as string)).toEqual([])
    }
  })
})
