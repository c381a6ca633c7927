import type { CodeBlock } from './markdown-blocks.js'

/** One command of an `sh` block, as a reader would copy it. */
export interface ShellCommand {
  /** 1-based line of the Markdown file where the command starts. */
  line: number
  /** The command, its `\` continuations joined and its comments removed. */
  text: string
  /** Its lines' comments, without `#` (a `→ 404` status, or the body the command prints). */
  comment: string
}

/** Splits `text` at `#` comments and `&&`, outside quotes: what a shell would treat as such. */
function scan(text: string): { code: string[]; comment: string } {
  const code = ['']
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      if (c === quote) quote = ''
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      return { code, comment: text.slice(i + 1).trim() }
    } else if (c === '&' && text[i + 1] === '&') {
      code.push('')
      i++
      continue
    }
    code[code.length - 1] += c
  }
  return { code, comment: '' }
}

/**
 * The block's commands: a trailing `\` joins lines, `#` comments are dropped (and kept aside), and
 * `a && b` gives two commands on the same line, each checked on its own.
 */
export function shellCommands(block: CodeBlock): ShellCommand[] {
  const out: ShellCommand[] = []
  let pending: { line: number; text: string; comment: string } | undefined
  block.lines.forEach((raw, i) => {
    const line = block.line + 1 + i
    const continued = raw.trimEnd().endsWith('\\')
    const { code, comment } = scan(continued ? raw.trimEnd().slice(0, -1) : raw)
    const joined = code.join('&&')
    pending = pending
      ? { ...pending, text: `${pending.text} ${joined.trim()}`, comment: [pending.comment, comment].join(' ').trim() }
      : { line, text: joined.trim(), comment }
    if (continued) return
    for (const part of scan(pending.text).code) {
      if (part.trim()) out.push({ line: pending.line, text: part.trim(), comment: pending.comment })
    }
    pending = undefined
  })
  if (pending?.text) out.push(pending)
  return out
}

/** The status a `# → 404` (or `# → 4xx`) comment expects, as a pattern; none means any 2xx. */
export function expectedStatus(comment: string): RegExp | undefined {
  const m = /(?:→|->)\s*([1-5][0-9x]{2})\b/.exec(comment)
  return m ? new RegExp(`^${m[1].replaceAll('x', '\\d')}$`) : undefined
}

/** Words of a command as the shell would split them (quotes removed), enough to read options and paths. */
export function words(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3])
  return out
}
