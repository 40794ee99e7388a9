// The sticky comment as a web page that looks like it does on GitHub: GitHub-flavoured Markdown
// (marked), GitHub's stylesheet (github-markdown-css), inside a comment box. `npm run demo` writes
// it with the media of the demo's artifact; `npm run screenshot` photographs it.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { marked } from 'marked'

/** GitHub's comment column is about this wide on a desktop. */
export const WIDTH = 1012

/**
 * @param {string} markdown the comment's body
 * @param {{ openFailures?: boolean, after?: string }} [options] `openFailures` opens the block of
 *   failure reasons, as a reviewer would; `after` is HTML shown below the comment box
 */
export async function commentPage(markdown, { openFailures = false, after = '' } = {}) {
  const css = await readFile(
    fileURLToPath(import.meta.resolve('github-markdown-css/github-markdown-light.css')),
    'utf8'
  )
  // Comments (unlike files) break lines where the text does.
  let body = await marked.parse(markdown, { gfm: true, breaks: true })
  if (openFailures) body = body.replace('<details><summary>❌', '<details open><summary>❌')
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>The sticky comment</title><style>
${css}
body { margin: 0; padding: 16px; background: #fff; font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; width: ${WIDTH - 34}px; }
.comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0; padding: 8px 16px; color: #59636e; font-size: 14px; }
.comment-header b { color: #1f2328; }
.markdown-body { padding: 16px; font-size: 14px; }
.after { width: ${WIDTH - 34}px; color: #59636e; font-size: 14px; }
.after figure { display: inline-block; margin: 8px 16px 8px 0; }
.after video { width: 296px; display: block; }
</style></head>
<body><div class="comment">
<div class="comment-header"><b>github-actions</b> <span class="label">bot</span> commented</div>
<article class="markdown-body">${body}</article>
</div>
${after ? `<div class="after">${after}</div>` : ''}
<script>addEventListener('load', () => { document.body.dataset.height = document.documentElement.scrollHeight })</script>
</body></html>`
}

/** Text for an HTML element or a double-quoted attribute. */
export function escapeHtml(/** @type {string} */ text) {
  return text.replace(
    /[&<>"']/g,
    ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch
  )
}
