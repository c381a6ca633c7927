// A Responses client (Codex) sends back the reasoning items of earlier turns, and only their
// `encrypted_content` is meant to carry what the model needs. Anthropic's signed thinking blocks ride there,
// so that a tool loop served by Anthropic keeps its thinking (Anthropic requires the loop's last assistant
// turn to start with it; without, the gateway has to switch thinking off for the request). The blocks are
// not secret (the summary shows their text) and need no integrity: Anthropic verifies each signature.

import type { ThinkingBlock } from '../../core/chat-types.js'
import { isObject } from '../request-checks.js'

const PREFIX = 'switchyard.thinking.v1:'

export function carryThinking(blocks: ThinkingBlock[]): string {
  return PREFIX + Buffer.from(JSON.stringify(blocks)).toString('base64url')
}

/** The blocks a reasoning item carries; undefined for anything else (OpenAI's own encrypted reasoning). */
export function carriedThinking(encrypted: unknown): ThinkingBlock[] | undefined {
  if (typeof encrypted !== 'string' || !encrypted.startsWith(PREFIX)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(encrypted.slice(PREFIX.length), 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(parsed)) return undefined
  const blocks: ThinkingBlock[] = []
  for (const b of parsed) {
    if (!isObject(b)) continue
    if (b.type === 'thinking' && typeof b.thinking === 'string' && typeof b.signature === 'string') {
      blocks.push({ type: 'thinking', thinking: b.thinking, signature: b.signature })
    } else if (b.type === 'redacted_thinking' && typeof b.data === 'string') {
      blocks.push({ type: 'redacted_thinking', data: b.data })
    }
  }
  return blocks.length > 0 ? blocks : undefined
}
