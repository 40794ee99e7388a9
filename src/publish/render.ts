// Renders the sticky pull-request comment and the job summary from the rows: counts, a table row
// per script, why scripts failed, links, and the hidden state a later run reuses. Pure, and never
// longer than GitHub accepts, whatever the number of scripts.
import type { Problem, ResultStatus, Row } from '../types.js'
import {
  attribute,
  code,
  codeBlock,
  encodePath,
  link,
  oneLine,
  percentEncode,
  safeUrl,
  tableRow,
  text,
  truncate
} from './escape.js'
import { encodeState, type SavedEntry } from './state.js'
import { spokenWords } from './words.js'
import { beforeAfterCell, changesEntry, earlierEntries } from './before-after.js'
import { problemText } from '../script/index.js'
import type { Budget } from '../budget.js'
import { budgetLine } from './budget.js'

export interface RenderContext {
  /** Marker key: tells apart the comments of several uses of the action. */
  commentKey: string
  /** e.g. https://github.com/o/r, for linking script paths at the head commit. */
  repoUrl: string
  /** Commit to link script paths to (null: no link). */
  headSha: string | null
  /** Workflow run link for the footer. */
  runUrl: string | null
  /** Artifact link for the footer (null: none uploaded). */
  artifactUrl: string | null
  /** The videos are in one artifact per shard of a job matrix, all listed at `artifactUrl`. */
  artifactPerShard?: boolean
  /** The header says nothing was submitted. */
  dryRun: boolean
  /** A sentence shown under the header (e.g. why generation was skipped); plain text. */
  notice?: string
  /** A dry run's setup check: what the request queue shows the key, one finding a line. */
  setup?: string[]
  /** Script files the change removed: listed, never generated. */
  removed?: string[]
  /** On a push, the pull requests it merged, whose comments show what the reviewers saw. */
  mergedPulls?: Array<{ number: number; url: string }>
  /** The release this run published to, and each video's stable URL there. */
  release?: { tag: string; url: string; videos: Array<{ file: string; url: string }> } | null
  /** Human text on when media URLs may expire, for the footer. */
  mediaExpiry?: string | null
  /** False while rows still render (live comment): the header says "rendering…". */
  final: boolean
  /**
   * Saved entries of an earlier run for scripts this run did not touch: kept in the hidden state
   * (after this run's own, and never for a file that has a row), so that a run on a push that
   * changed some files does not forget the videos of the others. Not shown.
   */
  carry?: SavedEntry[]
  /** The run's estimated minutes and the `max-minutes` cap (null: not estimated). */
  budget?: Budget | null
}

export interface RenderOptions {
  /**
   * Longest body: for a comment in characters (default 65,536, GitHub's comment limit), for the
   * job summary in UTF-8 bytes (default 1,000,000: GitHub takes up to 1 MiB a step).
   */
  maxLength?: number
  /** For the job summary: no marker and no hidden state, and room for every row. */
  forSummary?: boolean
}

/** GitHub refuses a comment body longer than this many characters. */
const MAX_COMMENT_LENGTH = 65_536

/** GitHub shows no job summary over 1 MiB a step; the margin leaves room for nothing else. */
const MAX_SUMMARY_BYTES = 1_000_000

/** Problems listed per invalid script; the annotations on the files have them all. */
const MAX_PROBLEMS = 20

const THUMBNAIL_WIDTH = 160

/** How much of a payload a dry run shows in the comment; the job summary has room for more. */
const PAYLOAD_SHOWN = { comment: 4_000, summary: 40_000 }

/** How many characters of a script's words a row shows: a preview, past that shortened. */
const WORDS_SHOWN = { comment: 2_000, summary: 20_000 }

const STATUS_EMOJI: Record<ResultStatus, string> = {
  success: '✅',
  reused: '♻️',
  failed: '❌',
  cancelled: '🚫',
  timeout: '⌛',
  invalid: '⚠️',
  skipped: '⏭️'
}

const FAILED: ReadonlySet<string> = new Set(['failed', 'cancelled', 'timeout'])

const TABLE_HEAD = [
  '| Video | Script | Status | Duration | Minutes (est. / actual) | Request id |',
  '|:-:|---|---|--:|--:|---|'
].join('\n')

const SECTION_SEPARATOR = '\n\n'

/** Where a row stands: its status, or `pending` while it still renders. */
type Kind = ResultStatus | 'pending'

/** A row rendered once: its table line, and its entry in a details block when it has one. */
interface Rendered {
  row: Row
  line: string
  detail: string | null
  /** Once paid for, what the video says: shown while room is left after every line and detail. */
  words: string | null
}

/** What a piece of the body counts for against the limit. */
type Measure = (value: string) => number

/** The hidden marker the sticky comment is found by; the key cannot close the HTML comment. */
export function marker(commentKey: string): string {
  const key = commentKey.replace(/[^A-Za-z0-9._-]/gu, percentEncode)
  return `<!-- avatar-video-action:${key} -->`
}

/**
 * The comment (or, with `forSummary`, the job summary) for `rows`. When not everything fits in
 * `maxLength`, the hidden state is kept whole if it can be (else without URLs, else its most
 * useful entries) and table rows give way: successes and skipped scripts first, then pending
 * ones, failed and invalid ones last (a reviewer needs those most). The header counts stay
 * complete, and a line says how many rows are not shown. The words of the videos, a preview for
 * reviewers, take what room is left.
 */
export function renderReport(rows: Row[], ctx: RenderContext, options: RenderOptions = {}): string {
  const forSummary = options.forSummary ?? false
  const limit = options.maxLength ?? (forSummary ? MAX_SUMMARY_BYTES : MAX_COMMENT_LENGTH)
  const measure = forSummary ? utf8Bytes : commentLength
  const cost = costIn(measure)
  const head = renderHead(rows, ctx, forSummary)
  const footer = renderFooter(rows, ctx)
  // At most a quarter of the room: the table and the failures come first.
  const release = releaseBlock(ctx, Math.floor(limit / 4), measure)
  const reserved = [
    head,
    footer,
    release,
    TABLE_HEAD,
    overflowLine(rows.length, ctx, forSummary),
    failuresBlock(rows.length, []),
    invalidBlock(rows.length, []),
    ctx.dryRun ? payloadsBlock(rows.length, []) : wordsBlock(rows.length, [])
  ].reduce((sum, section) => sum + cost(section), 0)

  const state = forSummary ? '' : fitState(savedEntries(rows, ctx.carry), limit - reserved, cost)
  const rendered = rows.map(row => renderRow(row, ctx, forSummary))
  const shown = chooseShown(rendered, limit - reserved - cost(state), measure)
  const withDetail = (wanted: (kind: Kind) => boolean) =>
    shown.filter(r => r.detail && wanted(kindOf(r.row)))
  const invalid = withDetail(kind => kind === 'invalid')
  const failures = withDetail(kind => FAILED.has(kind))
  const payloads = withDetail(kind => kind === 'skipped')
  const words = fitWords(shown, limit - reserved - cost(state), measure)

  const body = [
    head,
    shown.length ? [TABLE_HEAD, ...shown.map(r => r.line)].join('\n') : '',
    shown.length < rows.length ? overflowLine(rows.length - shown.length, ctx, forSummary) : '',
    failures.length ? failuresBlock(failures.length, failures) : '',
    invalid.length ? invalidBlock(invalid.length, invalid) : '',
    payloads.length ? payloadsBlock(payloads.length, payloads) : '',
    words.length ? wordsBlock(words.length, words) : '',
    release,
    footer,
    state
  ]
    .filter(Boolean)
    .join(SECTION_SEPARATOR)
  // Only reached when maxLength is too small for the header: keep the marker and the counts.
  const minimal = [forSummary ? '' : marker(ctx.commentKey), countsLine(rows)].join('\n').trim()
  return measure(body) <= limit ? body : minimal.slice(0, Math.floor(limit / 4))
}

/**
 * Length as GitHub may count a comment: UTF-16 code units (never fewer than characters), and
 * each line break twice in case it is stored as CRLF.
 */
function commentLength(value: string): number {
  return value.length + (value.match(/\n/g)?.length ?? 0)
}

/** The job summary's limit is on the file, in bytes. */
function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8')
}

/** What a section adds to the body, its separator included. */
function costIn(measure: Measure): (section: string) => number {
  return section => (section ? measure(section) + measure(SECTION_SEPARATOR) : 0)
}

function kindOf(row: Row): Kind {
  return row.pending ? 'pending' : row.status
}

/** Removed files named in the header; the rest are counted. */
const REMOVED_SHOWN = 20

function renderHead(rows: Row[], ctx: RenderContext, forSummary: boolean): string {
  const key = ctx.commentKey && ctx.commentKey !== 'default' ? ` · ${text(ctx.commentKey, 60)}` : ''
  const lines = [`### 🎬 Avatar videos${key}${ctx.final ? '' : ' — rendering…'}`, countsLine(rows)]
  const minutesLine = minutesTotals(rows)
  if (minutesLine) lines.push('', minutesLine)
  const budget = budgetLine(ctx.budget)
  if (budget) lines.push('', budget)
  if (!forSummary) lines.unshift(marker(ctx.commentKey))
  const notice = ctx.notice ? text(ctx.notice, 1000) : ''
  if (ctx.dryRun) {
    lines.push('', `> 🧪 **Dry run**: nothing was submitted.${notice ? ` ${notice}` : ''}`)
  } else if (notice) {
    lines.push('', `> ℹ️ ${notice}`)
  }
  if (ctx.setup?.length) {
    lines.push('', '**🔑 Setup check**: what the request queue shows this API key', '')
    lines.push(...ctx.setup.map(finding => `- ${text(finding, 600)}`))
  }
  if (ctx.removed?.length) {
    const shown = ctx.removed.slice(0, REMOVED_SHOWN).map(file => code(file))
    const more = ctx.removed.length - shown.length
    lines.push(
      '',
      `🗑️ Removed, not generated: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
    )
  }
  if (ctx.mergedPulls?.length) {
    const pulls = ctx.mergedPulls.map(pull => link(`#${pull.number}`, pull.url))
    lines.push(
      '',
      `🔀 Merged from ${pulls.join(', ')}: their comments show what the reviewers saw.`
    )
  }
  if (!ctx.final) lines.push('', 'This comment updates itself as the videos finish.')
  return lines.join('\n')
}

function countsLine(rows: Row[]): string {
  const kinds = rows.map(kindOf)
  const count = (...wanted: Kind[]) => kinds.filter(kind => wanted.includes(kind)).length
  const parts = [
    `✅ ${count('success', 'reused')} ready`,
    `❌ ${count('failed', 'cancelled', 'timeout', 'invalid')} failed`,
    `⏳ ${count('pending')} pending`
  ]
  const skipped = count('skipped')
  if (skipped) parts.push(`⏭️ ${skipped} skipped`)
  return `**${parts.join(' · ')}**`
}

/**
 * Minutes rendered and paid for in this run, and minutes a reused video saved; the estimate
 * stands in for a reused row that reports no duration.
 */
function minutesTotals(rows: Row[]): string {
  const total = (status: ResultStatus) =>
    rows
      .filter(row => kindOf(row) === status)
      .reduce((sum, row) => sum + (row.duration ?? row.estimatedSeconds ?? 0), 0)
  const generated = total('success')
  const saved = total('reused')
  if (!generated && !saved) return ''
  const parts = [`🎞️ ${minutes(generated)} min generated`]
  if (saved) parts.push(`♻️ ${minutes(saved)} min saved by reuse`)
  return parts.join(' · ')
}

function renderRow(row: Row, ctx: RenderContext, forSummary: boolean): Rendered {
  const line = tableRow([
    beforeAfterCell(row, mediaCell),
    scriptCell(row, ctx),
    statusCell(row),
    durationCell(row),
    minutesCell(row),
    row.request_id ? code(row.request_id, 80) : ''
  ])
  const kind = kindOf(row)
  const detail =
    kind === 'invalid'
      ? invalidEntry(row, ctx)
      : FAILED.has(kind)
        ? failureEntry(row, ctx)
        : ctx.dryRun && kind === 'skipped' && row.payload
          ? payloadEntry(row, row.payload, ctx, forSummary)
          : null
  const words =
    !ctx.dryRun && !FAILED.has(kind) && row.payload
      ? wordsEntry(row, row.payload, ctx, forSummary)
      : null
  return { row, line, detail, words }
}

/** The thumbnail linked to the video; a URL that is not safe to link is not shown at all. */
function mediaCell(row: Row): string {
  const video = safeUrl(row.video_url)
  const thumbnail = safeUrl(row.thumbnail_url)
  const image = thumbnail
    ? `<img src="${thumbnail}" width="${THUMBNAIL_WIDTH}" alt="${attribute(row.title ?? row.file, 100)}">`
    : null
  const media = video ? `<a href="${video}">${image ?? '▶️ video'}</a>` : (image ?? '')
  const withheld = (row.video_url && !video) || (row.thumbnail_url && !thumbnail)
  return withheld ? `${media}${media ? '<br>' : ''}🔒 unsafe link not shown` : media
}

function scriptCell(row: Row, ctx: RenderContext): string {
  const title = row.title && row.title !== row.file ? `<br>${text(row.title, 100)}` : ''
  return `${fileLink(row.file, ctx)}${title}`
}

function fileLink(file: string, ctx: RenderContext): string {
  const url = ctx.headSha
    ? `${ctx.repoUrl.replace(/\/+$/, '')}/blob/${encodePath(ctx.headSha)}/${encodePath(file)}`
    : null
  return link(code(file), url)
}

function statusCell(row: Row): string {
  const kind = kindOf(row)
  const label =
    kind === 'pending'
      ? `⏳ ${text(row.remoteStatus ?? 'queued', 40)}`
      : `${STATUS_EMOJI[kind]} ${text(kind, 40)}`
  const resumed = row.resumed ? ' ↩️' : ''
  const reason = kind === 'invalid' || FAILED.has(kind) ? reasonOf(row) : null
  // A video that was made but could not be kept (e.g. its link expired before the download).
  const note = (kind === 'success' || kind === 'reused') && row.error ? `⚠️ ${row.error}` : null
  // Why a script was not generated, when something other than a dry run stopped it.
  const skipped = kind === 'skipped' && row.error ? row.error : null
  const said = reason ?? note ?? skipped
  return `${label}${resumed}${said ? `<br>${text(said, 100)}` : ''}`
}

/** The reason in a few words; the details below the table have it in full. */
function reasonOf(row: Row): string | null {
  const [first, ...more] = row.problems
  if (!first) return row.error
  return more.length ? `${first.message} (and ${more.length} more)` : first.message
}

/** The length of the video; before there is one, the spoken length estimated from the words. */
function durationCell(row: Row): string {
  if (row.duration !== null) return clock(row.duration)
  const kind = kindOf(row)
  const expected = kind === 'skipped' || kind === 'pending'
  return expected && row.estimatedSeconds !== null ? `≈ ${clock(row.estimatedSeconds)}` : ''
}

function minutesCell(row: Row): string {
  if (row.estimatedSeconds === null && row.duration === null) return ''
  return `${minutes(row.estimatedSeconds)} / ${minutes(row.duration)}`
}

function minutes(seconds: number | null): string {
  return seconds === null ? '—' : (seconds / 60).toFixed(1)
}

/** `m:ss` */
function clock(seconds: number): string {
  const whole = Math.round(seconds)
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

function failureEntry(row: Row, ctx: RenderContext): string {
  const request = row.request_id ? ` · request ${code(row.request_id, 80)}` : ''
  const heading = `**${fileLink(row.file, ctx)}** — ${STATUS_EMOJI[row.status]} ${text(row.status, 40)}${request}`
  return `${heading}\n\n${row.error ? codeBlock(row.error) : '_The request queue gave no reason._'}`
}

function invalidEntry(row: Row, ctx: RenderContext): string {
  const lines = row.problems.slice(0, MAX_PROBLEMS).map(problemLine)
  if (row.problems.length > MAX_PROBLEMS) {
    lines.push(`… and ${row.problems.length - MAX_PROBLEMS} more: see the annotations`)
  }
  if (!lines.length) lines.push(oneLine(row.error ?? 'invalid'))
  return `**${fileLink(row.file, ctx)}**\n\n${codeBlock(lines.join('\n'), 8000)}`
}

/** What a dry run would have sent for one script, and how long it would speak. */
function payloadEntry(
  row: Row,
  payload: Record<string, unknown>,
  ctx: RenderContext,
  forSummary: boolean
): string {
  const spoken = row.estimatedSeconds === null ? '' : ` · ≈ ${clock(row.estimatedSeconds)} spoken`
  const max = forSummary ? PAYLOAD_SHOWN.summary : PAYLOAD_SHOWN.comment
  const shown = forSummary ? WORDS_SHOWN.summary : WORDS_SHOWN.comment
  const words = spokenWords(payload, shown)
  const json = codeBlock(JSON.stringify(payload, null, 2), max, 'json')
  const changes = changesEntry(row, shown)
  return [`**${fileLink(row.file, ctx)}**${spoken}`, words, changes, json]
    .filter(Boolean)
    .join('\n\n')
}

/** The words a submitted script's video says, scene by scene. */
function wordsEntry(
  row: Row,
  payload: Record<string, unknown>,
  ctx: RenderContext,
  forSummary: boolean
): string | null {
  const shown = forSummary ? WORDS_SHOWN.summary : WORDS_SHOWN.comment
  const words = spokenWords(payload, shown)
  const changes = changesEntry(row, shown)
  return words && [`**${fileLink(row.file, ctx)}**`, words, changes].filter(Boolean).join('\n\n')
}

/** The words entries of the shown rows, in their order, while they fit in what is left. */
function fitWords(shown: Rendered[], budget: number, measure: Measure): Rendered[] {
  const cost = costIn(measure)
  let left = budget
  for (const item of shown)
    left -= measure(`\n${item.line}`) + (item.detail ? cost(item.detail) : 0)
  return shown.filter(({ words }) => {
    const fits = words !== null && cost(words) <= left
    if (fits) left -= cost(words)
    return fits
  })
}

/** `file:line:column key — message`, as compilers print it. */
function problemLine(problem: Problem): string {
  return truncate(oneLine(problemText(problem)), 300)
}

function failuresBlock(count: number, entries: Rendered[]): string {
  return details(`❌ Failed, cancelled or timed out (${count}): the reasons`, entries)
}

function invalidBlock(count: number, entries: Rendered[]): string {
  return details(`⚠️ Invalid scripts (${count}): what to fix`, entries)
}

function payloadsBlock(count: number, entries: Rendered[]): string {
  return details(`🧪 What would be sent (${count})`, entries)
}

function wordsBlock(count: number, entries: Rendered[]): string {
  const said = entries.map(entry => ({ ...entry, detail: entry.words ?? null }))
  return details(`🗣️ What the videos say (${count})`, said)
}

function details(summary: string, entries: Rendered[]): string {
  const blocks = entries.map(entry => entry.detail ?? '')
  // Blank lines around the entries, or GitHub would not read them as markdown.
  return [`<details><summary>${summary}</summary>`, ...blocks, '</details>'].join('\n\n')
}

function overflowLine(hidden: number, ctx: RenderContext, forSummary: boolean): string {
  const places = [
    forSummary ? null : link('the job summary', ctx.runUrl),
    safeUrl(ctx.artifactUrl)
      ? link(ctx.artifactPerShard ? 'the artifacts' : 'the artifact', ctx.artifactUrl)
      : null
  ].filter(Boolean)
  const where = places.length ? places.join(' and ') : 'the workflow run'
  return `… and ${hidden} more ${hidden === 1 ? 'script' : 'scripts'}: see ${where}.`
}

/** Released videos listed per script, within `budget`, the rest counted. */
function releaseBlock(ctx: RenderContext, budget: number, measure: Measure): string {
  const release = ctx.release
  if (!release?.videos.length) return ''
  const heading = `📦 Published to the release ${link(code(release.tag, 100), release.url)}, at stable links for docs and sites:`
  const lines: string[] = []
  let used = measure(heading) + 200
  for (const video of release.videos) {
    const line = `- ${code(video.file)}: ${link(text(video.url, 500), video.url)}`
    if (used + measure(`\n${line}`) > budget) break
    lines.push(line)
    used += measure(`\n${line}`)
  }
  const more = release.videos.length - lines.length
  if (more) lines.push(`- … and ${more} more: see the release's manifest.json`)
  return [heading, '', ...lines].join('\n')
}

function renderFooter(rows: Row[], ctx: RenderContext): string {
  const parts: string[] = []
  if (safeUrl(ctx.runUrl)) parts.push(link('Workflow run', ctx.runUrl))
  if (safeUrl(ctx.artifactUrl)) {
    const label = ctx.artifactPerShard
      ? 'Artifacts with the videos, one per shard'
      : 'Artifact with the videos'
    parts.push(link(label, ctx.artifactUrl))
  }
  if (ctx.mediaExpiry) parts.push(text(ctx.mediaExpiry, 300))
  if (rows.some(row => kindOf(row) === 'reused')) {
    parts.push('♻️ reused: an identical video made earlier, not paid for again')
  }
  if (rows.some(row => row.resumed)) parts.push("↩️ resumed: an earlier run's request, picked up")
  return parts.length ? `<sub>${parts.join(' · ')}</sub>` : ''
}

/**
 * Which rows get a table line (and details), in their own order: the most important first while
 * they fit, so failures and invalid scripts stay visible when hundreds of successes do not. A row
 * whose details do not fit any more keeps its line (its status says what happened).
 */
function chooseShown(rendered: Rendered[], budget: number, measure: Measure): Rendered[] {
  const cost = costIn(measure)
  const byImportance = [...rendered].sort(
    (a, b) => visibilityRank(kindOf(a.row)) - visibilityRank(kindOf(b.row))
  )
  const shown = new Map<Rendered, Rendered>()
  let used = 0
  for (const item of byImportance) {
    const lineCost = measure(`\n${item.line}`)
    const detailCost = item.detail ? cost(item.detail) : 0
    if (used + lineCost + detailCost <= budget) {
      shown.set(item, item)
      used += lineCost + detailCost
    } else if (used + lineCost <= budget) {
      shown.set(item, { ...item, detail: null })
      used += lineCost
    }
  }
  return rendered.flatMap(item => shown.get(item) ?? [])
}

function visibilityRank(kind: Kind): number {
  if (kind === 'invalid' || FAILED.has(kind)) return 0
  if (kind === 'pending') return 1
  return kind === 'skipped' ? 3 : 2
}

/**
 * Every row that reached the queue (a request id: a video to reuse, a request to resume; a row
 * still rendering as `pending`), then the carried entries of the other files; the most useful
 * first, this run's before older ones. A row that paid for nothing (a dry run, a refused key)
 * never replaces what an earlier run saved for its file.
 */
function savedEntries(rows: Row[], carry: SavedEntry[] = []): SavedEntry[] {
  const own = rows
    .filter(
      (row): row is Row & { hash: string } =>
        typeof row.hash === 'string' && row.request_id !== null
    )
    .map(row => ({
      file: row.file,
      hash: row.hash,
      request_id: row.request_id,
      status: kindOf(row),
      video_url: row.video_url,
      thumbnail_url: row.thumbnail_url,
      duration: row.duration
    }))
  const files = new Set(own.map(entry => entry.file))
  const older = carry.filter(entry => !files.has(entry.file))
  const kept = [...own, ...older]
  // Array#sort is stable: among equally useful entries, this run's stay first.
  return [...kept, ...earlierEntries(rows, kept)].sort(
    (a, b) => stateRank(a.status) - stateRank(b.status)
  )
}

/** What saves a later run the most: a request to resume, a video to reuse, then the rest. */
function stateRank(status: string): number {
  const order = ['pending', 'success', 'reused', 'timeout']
  return order.includes(status) ? order.indexOf(status) : order.length
}

/**
 * The state block within `budget`: complete if it fits. Else without any URL, because a later run
 * must then look requests up by id anyway (and signed URLs expire): those ~90 characters an entry
 * are better spent on visible rows. Else the most useful entries that fit, without URLs.
 */
function fitState(
  entries: SavedEntry[],
  budget: number,
  cost: (section: string) => number
): string {
  if (!entries.length) return ''
  const fits = (block: string) => cost(block) <= budget
  const complete = encodeState(entries)
  if (fits(complete)) return complete
  const lean = entries.map(entry => ({ ...entry, video_url: null, thumbnail_url: null }))
  const kept = largestFitting(lean.length, n => fits(encodeState(lean.slice(0, n))))
  return kept ? encodeState(lean.slice(0, kept)) : ''
}

/** The largest n in 1…max for which `ok(n)` holds (it holds for every smaller n too), or 0. */
function largestFitting(max: number, ok: (n: number) => boolean): number {
  let low = 0
  let high = max
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (ok(mid)) low = mid
    else high = mid - 1
  }
  return low
}
