import type { DiffLine } from '../../src-shared/contract/prompts.js'
import type { PromptContent } from './types.js'

/**
 * Line diff by longest common subsequence. Prompts are short (tens to hundreds of lines), so the
 * quadratic table is cheap and the result is the minimal edit that readers expect.
 */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length
  const m = after.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: 'equal', text: before[i] })
      i++
      j++
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      // Removals before additions, as unified diffs show a replaced line.
      out.push({ op: 'remove', text: before[i++] })
    } else {
      out.push({ op: 'add', text: after[j++] })
    }
  }
  return out
}

/**
 * A prompt version as lines to diff: each message under a `[role]` header, then model, parameters and
 * schema, so a diff covers everything that changes the call, not only the texts.
 */
export function promptLines(content: PromptContent): string[] {
  const lines: string[] = []
  for (const m of content.messages) lines.push(`[${m.role}]`, ...m.content.split('\n'), '')
  lines.push(`model: ${content.model ?? '(none)'}`)
  for (const [k, v] of Object.entries(content.params ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`param ${k}: ${JSON.stringify(v)}`)
  }
  if (content.responseSchema) lines.push(...`schema: ${JSON.stringify(content.responseSchema, null, 2)}`.split('\n'))
  return lines
}

/** Which parts of a prompt differ between two versions. */
export function changedParts(a: PromptContent, b: PromptContent): string[] {
  const parts: string[] = []
  if (JSON.stringify(a.messages) !== JSON.stringify(b.messages)) parts.push('messages')
  if ((a.model ?? null) !== (b.model ?? null)) parts.push('model')
  if (JSON.stringify(a.params ?? {}) !== JSON.stringify(b.params ?? {})) parts.push('params')
  if (JSON.stringify(a.responseSchema ?? null) !== JSON.stringify(b.responseSchema ?? null))
    parts.push('responseSchema')
  return parts
}
