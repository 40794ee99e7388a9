// What each scene of a payload says, for a reviewer to read before it is paid for (a dry run)
// and beside the video once it is: the exact words sent, as inert text, shortened with a mark.
import { text } from './escape.js'

/** One scene as the request queue gets it: words, a pause, or recorded audio. */
type Scene = { words: string } | { silence: number | null } | { audio: true }

/** The scenes of a request-queue payload; empty when it has no `video_inputs` to read. */
function scenesOf(payload: Record<string, unknown>): Scene[] {
  const inputs = Array.isArray(payload.video_inputs) ? (payload.video_inputs as unknown[]) : []
  return inputs.map(input => {
    const voice = isRecord(input) && isRecord(input.voice) ? input.voice : {}
    if (typeof voice.input_text === 'string') return { words: voice.input_text }
    if (voice.type === 'silence') {
      return { silence: typeof voice.duration === 'number' ? voice.duration : null }
    }
    return { audio: true }
  })
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * The words of `payload`, scene by scene, as GitHub markdown: one quoted paragraph, or a
 * numbered list when there are several scenes. At most `max` characters of words are shown; the
 * rest is cut with a visible mark that says how much is missing. Null when nothing is spoken.
 */
export function spokenWords(payload: Record<string, unknown>, max: number): string | null {
  const scenes = scenesOf(payload)
  if (!scenes.some(scene => 'words' in scene)) return null
  const total = scenes.reduce((sum, s) => sum + ('words' in s ? Array.from(s.words).length : 0), 0)
  let left = max
  const items: string[] = []
  for (const scene of scenes) {
    if (left <= 0) break
    if (!('words' in scene)) {
      items.push('silence' in scene ? `_⏸️ ${seconds(scene.silence)}_` : '_🔊 recorded audio_')
      continue
    }
    const chars = Array.from(scene.words)
    const cut = chars.length > left ? ' ✂️' : ''
    items.push(`${text(chars.slice(0, left).join(''), Infinity)}${cut}`)
    left -= chars.length
  }
  const body =
    scenes.length === 1 ? `> ${items[0]}` : items.map((item, i) => `${i + 1}. ${item}`).join('\n')
  const shortened =
    total > max
      ? `\n\n✂️ _Shortened: the first ${max} of ${total} characters spoken are shown._`
      : ''
  return `${body}${shortened}`
}

function seconds(value: number | null): string {
  return value === null ? 'silence' : `${value} s of silence`
}

/** Everything `payload` says, scene after scene, as one text: what a word diff compares. */
export function spokenText(payload: Record<string, unknown>): string {
  return scenesOf(payload)
    .flatMap(scene => ('words' in scene ? [scene.words] : []))
    .join('\n')
}
