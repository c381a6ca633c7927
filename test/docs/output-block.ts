import { GATEWAY_SOURCES, lineMatcher, sourceTexts, TEST_SOURCES } from './repo-text.js'

let matchers: ((line: string) => boolean)[] | undefined

/**
 * Lines of the template literals in the gateway's and the tests' source that have a `${…}`: what the
 * gateway prints with values filled in (`Switchyard listening on ${url}`). A doc line's `…` fills one too.
 */
function templateLines(): ((line: string) => boolean)[] {
  if (!matchers) {
    matchers = []
    for (const text of sourceTexts([...GATEWAY_SOURCES, ...TEST_SOURCES]).values()) {
      for (const [, literal] of text.matchAll(/`((?:[^`\\]|\\.)*)`/g)) {
        for (const line of literal.split(/\\n|\n/)) {
          // `${a}: ${b}` would match nearly any line: only templates with words of their own count.
          const words = line.replace(/\$\{[^}]*\}/g, '').replace(/[^A-Za-z]/g, '')
          if (line.includes('${') && words.length >= 8) matchers.push(lineMatcher(line))
        }
      }
    }
  }
  return matchers
}

/**
 * Rule 5: every line of a text block is output the reader will see: it occurs in the gateway's or a
 * test's source, as written or as a template with its values filled in.
 */
export function outputBlockProblems(lines: string[], firstLine: number): string[] {
  const source = [...sourceTexts([...GATEWAY_SOURCES, ...TEST_SOURCES]).values()].join('\n')
  return lines.flatMap((raw, i) => {
    const line = raw.trim()
    if (!line || source.includes(line) || templateLines().some((matches) => matches(line))) return []
    return [`line ${firstLine + i} occurs in no source or test: ${line}`]
  })
}
