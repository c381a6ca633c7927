import { decodeAnthropicRequest } from '../api/anthropic/decode-request.js'
import { validateChatRequest } from '../api/openai/codec.js'
import type { ChatMessage } from '../core/chat-types.js'
import type { BodyCipher } from '../store/body-cipher.js'
import type { LogFilter } from '../store/log-filter.js'
import type { LogStore } from '../store/log-store.js'
import type { RunRow } from './compare-types.js'

/** The messages of a logged request, in the canonical (OpenAI) shape, or null if it cannot be replayed. */
function loggedMessages(inboundApi: string, body: unknown): ChatMessage[] | null {
  try {
    if (inboundApi === 'openai') return validateChatRequest(body).messages
    if (inboundApi === 'anthropic') return decodeAnthropicRequest(body).messages
  } catch {
    // A body that was truncated when stored, or never valid: nothing to replay.
  }
  return null
}

/**
 * The answer text of a logged response: a JSON body in either dialect, or a streamed answer, which the
 * request log stores as `{stream: true, content}`.
 */
export function loggedOutput(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null
  const b = body as { choices?: { message?: { content?: unknown } }[]; content?: unknown }
  const content = b.choices?.[0]?.message?.content ?? b.content
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((c: { text?: string }) => c.text ?? '').join('')
  return null
}

/**
 * Rows for a replay: the newest logged requests matching the filter whose bodies were stored and can
 * be decoded (OpenAI and Anthropic calls), each with what the original call cost and answered.
 * `cipher` opens bodies stored encrypted; one it cannot open counts as skipped.
 */
export async function replayRows(
  log: LogStore,
  filter: LogFilter,
  limit: number,
  cipher?: BodyCipher,
): Promise<{ rows: RunRow[]; skipped: number }> {
  const rows: RunRow[] = []
  let skipped = 0
  // Scan past rows that cannot be replayed, a batch at a time, until `limit` rows are found.
  for await (const batch of log.batches(filter, 200)) {
    for (const item of batch) {
      if (rows.length >= limit) break
      const detail = await log.getLog(item.id, cipher)
      const messages = detail && loggedMessages(item.inboundApi, detail.requestBody)
      if (!detail || !messages) {
        skipped++
        continue
      }
      rows.push({
        vars: { requestId: item.requestId, model: item.requestedModel ?? item.model },
        messages,
        original: {
          logId: item.id,
          requestId: item.requestId,
          model: item.model,
          output: loggedOutput(detail.responseBody),
          costUsd: item.costUsd,
          latencyMs: item.latencyMs,
          inputTokens: item.inputTokens,
          outputTokens: item.outputTokens,
        },
      })
    }
    if (rows.length >= limit) break
  }
  return { rows, skipped }
}
