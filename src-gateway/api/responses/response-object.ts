// The Responses API `response` object and its parts, shared by the JSON reply and the stream encoder
// (protocols.md §2).

import { randomUUID } from 'node:crypto'
import type { ChatRequest, FinishReason, Usage } from '../../core/chat-types.js'

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed'

/** Finish reasons that cut an answer short; everything else completed. */
const INCOMPLETE_REASON: Partial<Record<FinishReason, string>> = {
  length: 'max_output_tokens',
  content_filter: 'content_filter',
}

export function statusOf(finish: FinishReason | null | undefined): {
  status: ResponseStatus
  incomplete_details: { reason: string } | null
} {
  const reason = finish ? INCOMPLETE_REASON[finish] : undefined
  return reason
    ? { status: 'incomplete', incomplete_details: { reason } }
    : { status: 'completed', incomplete_details: null }
}

/** One random base per response; item ids derive from it so they stay unique without more entropy calls. */
export function newResponseId(): string {
  return `resp_${randomUUID().replaceAll('-', '')}`
}

export function itemId(responseId: string, prefix: 'msg' | 'fc' | 'rs', n: number): string {
  return `${prefix}_${responseId.slice(5)}${n.toString(16).padStart(2, '0')}`
}

export interface ResponsesUsage {
  input_tokens: number
  input_tokens_details: { cached_tokens: number }
  output_tokens: number
  output_tokens_details: { reasoning_tokens: number }
  total_tokens: number
}

export function toResponsesUsage(u: Usage | null | undefined): ResponsesUsage {
  const input = u?.prompt_tokens ?? 0
  const output = u?.completion_tokens ?? 0
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u?.total_tokens ?? input + output,
  }
}

export interface ResponseEnvelope {
  id: string
  createdAt: number
  model: string
  status: ResponseStatus
  output: unknown[]
  usage: ResponsesUsage | null
  incomplete_details: { reason: string } | null
  error: { code: string; message: string } | null
}

/** The request settings a response echoes back, as OpenAI's does; clients read tools and tool_choice from it. */
function echoedSettings(req: ChatRequest | undefined) {
  return {
    instructions: null,
    max_output_tokens: req?.max_completion_tokens ?? null,
    parallel_tool_calls: req?.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: req?.reasoning_effort ?? null, summary: null },
    store: false,
    temperature: req?.temperature ?? null,
    text: { format: { type: req?.response_format?.type ?? 'text' } },
    tool_choice:
      typeof req?.tool_choice === 'object'
        ? { type: 'function', name: req.tool_choice.function.name }
        : (req?.tool_choice ?? 'auto'),
    tools: (req?.tools ?? []).map((t) => ({ type: 'function', ...t.function })),
    top_p: req?.top_p ?? null,
    truncation: 'disabled',
    metadata: {},
  }
}

export function responseObject(e: ResponseEnvelope, req: ChatRequest | undefined): Record<string, unknown> {
  return {
    id: e.id,
    object: 'response',
    created_at: e.createdAt,
    status: e.status,
    error: e.error,
    incomplete_details: e.incomplete_details,
    model: e.model,
    output: e.output,
    ...echoedSettings(req),
    usage: e.usage,
  }
}

export function messageItem(id: string, text: string, status: 'in_progress' | 'completed') {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'completed' ? [outputTextPart(text)] : [],
  }
}

export function outputTextPart(text: string) {
  return { type: 'output_text', text, annotations: [], logprobs: [] }
}

/** A namespaced tool's flat name → its namespace and own name (decode-request.ts namespacedToolNames). */
export type ToolNamespaces = ReadonlyMap<string, { namespace: string; name: string }>

export function functionCallItem(
  id: string,
  call: { id: string; name: string; arguments: string },
  status: 'in_progress' | 'completed',
  namespaces?: ToolNamespaces,
) {
  const ns = namespaces?.get(call.name)
  const name = ns ? { name: ns.name, namespace: ns.namespace } : { name: call.name }
  return { id, type: 'function_call', status, call_id: call.id, ...name, arguments: call.arguments }
}

/** `encrypted` carries Anthropic's signed thinking blocks back to the gateway on the next turn (thinking-carrier.ts). */
export function reasoningItem(id: string, text: string, encrypted?: string) {
  const item = { id, type: 'reasoning', summary: text === '' ? [] : [{ type: 'summary_text', text }] }
  return encrypted === undefined ? item : { ...item, encrypted_content: encrypted }
}
