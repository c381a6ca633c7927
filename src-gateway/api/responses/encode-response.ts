// Canonical ChatResponse → Responses API `response` object. Items come in the order the model produced
// them: reasoning, then the message, then function calls.

import type { ChatRequest, ChatResponse } from '../../core/chat-types.js'
import {
  functionCallItem,
  itemId,
  messageItem,
  newResponseId,
  reasoningItem,
  responseObject,
  statusOf,
  type ToolNamespaces,
  toResponsesUsage,
} from './response-object.js'
import { carryThinking } from './thinking-carrier.js'

export function encodeResponsesResponse(
  res: ChatResponse,
  requestedModel: string,
  req?: ChatRequest,
  namespaces?: ToolNamespaces,
): Record<string, unknown> {
  const id = newResponseId()
  const choice = res.choices[0]
  const msg = choice?.message
  const output: unknown[] = []
  const signed = msg?.thinking_blocks?.length ? carryThinking(msg.thinking_blocks) : undefined
  if (msg?.reasoning_content || signed)
    output.push(reasoningItem(itemId(id, 'rs', 0), msg?.reasoning_content ?? '', signed))
  const text = msg?.content ?? ''
  if (text !== '') output.push(messageItem(itemId(id, 'msg', 0), text, 'completed'))
  else if (msg?.refusal) {
    output.push({
      ...messageItem(itemId(id, 'msg', 0), '', 'in_progress'),
      status: 'completed',
      content: [{ type: 'refusal', refusal: msg.refusal }],
    })
  }
  for (const [k, call] of (msg?.tool_calls ?? []).entries()) {
    output.push(functionCallItem(itemId(id, 'fc', k), { id: call.id, ...call.function }, 'completed', namespaces))
  }
  return responseObject(
    {
      id,
      createdAt: res.created || Math.floor(Date.now() / 1000),
      model: requestedModel,
      ...statusOf(choice?.finish_reason),
      output,
      usage: toResponsesUsage(res.usage),
      error: null,
    },
    req,
  )
}
