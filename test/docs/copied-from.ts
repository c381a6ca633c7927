import { existsSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { CodeBlock } from './markdown-blocks.js'
import { lineMatcher, ROOT, sourceTexts, TEST_SOURCES } from './repo-text.js'

/**
 * A file whose content a test exercises: a test itself, package.json, .ci/run, or a fixture or template
 * some test or bench names (and so loads).
 */
function isTested(path: string): boolean {
  if (/\.(test|spec)\.ts$/.test(path) || path === 'package.json' || path === '.ci/run') return true
  const name = basename(path)
  return [...sourceTexts(TEST_SOURCES)].some(([file, text]) => file !== path && text.includes(name))
}

/**
 * Rule 1: every non-blank line of the block, trimmed, is a line of PATH, in the same order. A `${…}` in
 * PATH's line stands for any text, so a test's `base_url = "${gw.url}/v1"` covers the docs' real URL.
 */
export function copiedFromProblems(block: CodeBlock & { copiedFrom: string }): string[] {
  const path = block.copiedFrom
  if (!existsSync(join(ROOT, path))) return [`copied-from: ${path} does not exist`]
  if (!isTested(path)) return [`copied-from: ${path} is not a test, nor a file a test or bench names`]
  const source = readFileSync(join(ROOT, path), 'utf8').split('\n').map(lineMatcher)
  let at = 0
  const problems: string[] = []
  block.lines.forEach((raw, i) => {
    const line = raw.trim()
    if (!line) return
    const found = source.findIndex((matches, j) => j >= at && matches(line))
    if (found < 0) problems.push(`line ${block.line + 1 + i} is not in ${path} (after its line ${at}): ${line}`)
    else at = found + 1
  })
  return problems
}
