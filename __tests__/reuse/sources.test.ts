import { describe, expect, it } from '@jest/globals'
import { earlierFromRequestList, listOnce } from '../../src/reuse/sources.js'
import type { QueueClient, RemoteRequest } from '../../src/queue/client.js'
import { QueueError } from '../../src/queue/http.js'
import { hashRequest } from '../../src/script/index.js'
import type { VideoRequest } from '../../src/types.js'
import { remoteRequest } from '../queue/helpers.js'

const MODEL = 'heygen-avatar-4'

function request(title: string): VideoRequest {
  const payload = { title, video_inputs: [] }
  return {
    file: `videos/${title}.md`,
    title,
    model: MODEL,
    payload,
    hash: hashRequest(MODEL, payload),
    regenerate: false,
    estimatedSeconds: 5
  }
}

function remote(id: string, status: string, payload: unknown, createdAt = 0): RemoteRequest {
  const terminal = ['success', 'failed', 'cancelled'].includes(status)
  return remoteRequest(id, { status, terminal, payload, createdAt })
}

/** A queue whose list shows `listed` (of `total`), and whose status answers come from `byId`. */
function queue(
  listed: RemoteRequest[] | Error,
  byId: Record<string, RemoteRequest> = {},
  total: number | null = null
) {
  const gets: string[] = []
  const client: QueueClient = {
    submit: () => Promise.reject(new Error('no submissions while planning')),
    list: async () => {
      if (listed instanceof Error) throw listed
      return { requests: listed, total, complete: total === null || total <= listed.length }
    },
    get: async id => {
      gets.push(id)
      const answer = byId[id]
      if (!answer) throw new QueueError('request not found', 404)
      return answer
    },
    modelInfo: async () => ({}),
    models: async () => []
  }
  return { client, gets }
}

const intro = request('intro')
const outro = request('outro')
const quiet = { log: () => {}, warn: () => {} }

describe('finding earlier identical requests in the request list', () => {
  it('finds a finished video and a request still rendering of the same payloads', async () => {
    const { client } = queue([
      remote('r1', 'success', intro.payload),
      remote('r2', 'processing', outro.payload),
      remote('r3', 'failed', intro.payload),
      remote('r4', 'success', { title: 'something else', video_inputs: [] })
    ])
    const found = await earlierFromRequestList({ ...quiet, client, requests: [intro, outro] })
    expect(found).toEqual([
      { hash: intro.hash, requestId: 'r1', state: 'done', from: 'found in the request list' },
      { hash: outro.hash, requestId: 'r2', state: 'rendering', from: 'found in the request list' }
    ])
  })

  it('looks up the newest few by id when the list does not show payloads', async () => {
    const listed = Array.from({ length: 15 }, (_, i) => remote(`r${i}`, 'success', undefined, i))
    const { client, gets } = queue(listed, { r14: remote('r14', 'success', intro.payload) })
    const found = await earlierFromRequestList({ ...quiet, client, requests: [intro] })
    expect(found.map(e => e.requestId)).toEqual(['r14'])
    expect(gets).toEqual(['r14', 'r13', 'r12', 'r11', 'r10', 'r9', 'r8', 'r7', 'r6', 'r5'])
  })

  it('stops looking up as soon as a status answer shows no payload either', async () => {
    const listed = [remote('r1', 'success', undefined, 2), remote('r2', 'success', undefined, 1)]
    const { client, gets } = queue(listed, { r1: remote('r1', 'success', undefined) })
    const found = await earlierFromRequestList({ ...quiet, client, requests: [intro] })
    expect(found).toEqual([])
    expect(gets).toEqual(['r1'])
  })

  it('warns and finds nothing when the list cannot be read', async () => {
    const warnings: string[] = []
    const { client } = queue(new QueueError('HTTP 404: not found', 404))
    const found = await earlierFromRequestList({
      ...quiet,
      client,
      requests: [intro],
      warn: message => warnings.push(message)
    })
    expect(found).toEqual([])
    expect(warnings).toEqual([
      `Could not read the request list to find earlier identical videos of ${MODEL}: HTTP 404: not found`
    ])
  })

  it('says in the log when the list shows only part of the requests', async () => {
    const logged: string[] = []
    const { client } = queue([remote('r1', 'success', outro.payload)], {}, 230)
    const found = await earlierFromRequestList({
      ...quiet,
      client,
      requests: [intro],
      log: message => logged.push(message)
    })
    expect(found).toEqual([])
    expect(logged).toEqual([
      `Reuse: the request list of ${MODEL} shows 1 of 230 requests: an earlier identical video among those not shown is not found, and would be paid for again`
    ])
  })
})

describe('the request list read once for every lookup of a run', () => {
  it('is asked once a model, and again after a read that failed', async () => {
    const answers: Array<RemoteRequest[] | Error> = [new QueueError('busy', 503), [], []]
    const asked: string[] = []
    const { client } = queue([])
    const counting: QueueClient = {
      ...client,
      list: async model => {
        asked.push(model)
        const answer = answers.shift()!
        if (answer instanceof Error) throw answer
        return { requests: answer, total: null, complete: true }
      }
    }
    const once = listOnce(counting)

    await expect(once.list(MODEL)).rejects.toThrow('busy')
    await once.list(MODEL)
    await once.list(MODEL)
    await once.list('heygen-avatar-v4')

    expect(asked).toEqual([MODEL, MODEL, 'heygen-avatar-v4'])
  })
})
