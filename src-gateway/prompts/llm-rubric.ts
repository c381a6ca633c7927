import type { PromptMessage } from './types.js'

export interface Grade {
  pass: boolean
  score: number
  reason: string
}

const GRADER_SYSTEM = `You grade an AI model's output against a rubric.
Reply with one JSON object and nothing else, with the keys pass (true or false), score (a number from 0 to 1) and reason (one short sentence).`

/** The grader's conversation: instructions in the system message, rubric and output in the user message. */
export function graderMessages(rubric: string, output: string): PromptMessage[] {
  return [
    { role: 'system', content: GRADER_SYSTEM },
    { role: 'user', content: `Rubric:\n${rubric}\n\nOutput:\n${output}` },
  ]
}

/** Candidate JSON objects in a text: each balanced `{…}` span, outermost first, skipping braces in strings. */
function* jsonObjects(text: string): Generator<string> {
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0
    let inString = false
    for (let i = start; i < text.length; i++) {
      const ch = text[i]
      if (inString) {
        if (ch === '\\') i++
        else if (ch === '"') inString = false
      } else if (ch === '"') inString = true
      else if (ch === '{') depth++
      else if (ch === '}' && --depth === 0) {
        yield text.slice(start, i + 1)
        break
      }
    }
  }
}

/**
 * Reads the grader's verdict: the first JSON object in its reply with a boolean `pass`. Models often
 * wrap JSON in prose or code fences, so the whole reply is searched rather than parsed as one value.
 */
export function parseGrade(reply: string): Grade | null {
  for (const candidate of jsonObjects(reply)) {
    let value: unknown
    try {
      value = JSON.parse(candidate)
    } catch {
      continue
    }
    const v = value as { pass?: unknown; score?: unknown; reason?: unknown }
    if (typeof v.pass !== 'boolean') continue
    const score = typeof v.score === 'number' && Number.isFinite(v.score) ? Math.min(1, Math.max(0, v.score)) : null
    return {
      pass: v.pass,
      score: score ?? (v.pass ? 1 : 0),
      reason: typeof v.reason === 'string' ? v.reason : '',
    }
  }
  return null
}
