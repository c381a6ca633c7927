import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repo root (`docs/routing.md`). */
  file: string
  /** 1-based line of the opening fence. */
  line: number
  /** The info string's first word (`sh`, `yaml`); '' when the fence has none. */
  lang: string
  /** PATH of a `<!-- copied-from: PATH -->` comment on the line right before the fence. */
  copiedFrom?: string
  /** The lines between the fences, as written (indentation of a block inside a list item removed). */
  lines: string[]
}

/** README.md and every docs/**\/*.md, relative to `root`: found by glob, so new guides are checked too. */
export function docFiles(root: string): string[] {
  const files = ['README.md']
  const docs = join(root, 'docs')
  if (existsSync(docs)) {
    const guides = readdirSync(docs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'))
    files.push(...guides.sort().map((f) => `docs/${f}`))
  }
  return files
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/
const COPIED_FROM = /^<!--\s*copied-from:\s*(\S+)\s*-->$/

/** Every fenced block of `file`; an unclosed fence runs to the end of the file, as Markdown renders it. */
export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i])
    if (!open) continue
    const [, indent, fence] = open
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = lines[j].trim()
      if (close.startsWith(fence) && close.replace(/[`~]/g, '') === '') break
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j])
    }
    const copied = COPIED_FROM.exec(lines[i - 1]?.trim() ?? '')
    blocks.push({ file, line: i + 1, lang: open[3], copiedFrom: copied?.[1], lines: body })
    i = j
  }
  return blocks
}
