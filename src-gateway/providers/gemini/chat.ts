// Canonical request → Gemini generateContent body (protocols.md §4, §8.3, pitfalls P6, P13, P19).
// Fields not read here are dropped: Gemini rejects unknown ones.

import type { ChatRequest, FunctionTool, ToolChoice } from '../../core/chat-types.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { GEMINI_PATHS, geminiPost } from './api.js'
import { toGeminiConversation } from './messages.js'
import { declaresNoParameters, toGeminiSchema } from './schema.js'

/** Canonical sampling fields that map one to one onto generationConfig. */
const GENERATION_FIELDS = [
  ['temperature', 'temperature'],
  ['top_p', 'topP'],
  ['top_k', 'topK'],
  ['seed', 'seed'],
  ['presence_penalty', 'presencePenalty'],
  ['frequency_penalty', 'frequencyPenalty'],
] as const satisfies readonly (readonly [keyof ChatRequest, string])[]

const MODE_BY_TOOL_CHOICE: Record<Exclude<ToolChoice, object>, string> = {
  auto: 'AUTO',
  required: 'ANY',
  none: 'NONE',
}

/** Budgets Google's own OpenAI-compatible endpoint uses for each effort; `minimal` keeps thinking on but small. */
const THINKING_BUDGET_BY_EFFORT: Record<string, number> = {
  none: 0,
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
}

export function chatRequest(req: ChatRequest, model: string, ctx: ProviderContext): UpstreamRequest {
  const path = req.stream ? GEMINI_PATHS.stream(model) : GEMINI_PATHS.generate(model)
  return geminiPost(path, toGeminiRequest(req, model), ctx)
}

/**
 * Gemini 3 answers 400 when the first function call of a turn comes back without its thought signature
 * (pitfall P8). Calls made by another model, or relayed to a client that has no field for the signature
 * (Anthropic's tool_use, the Responses function_call), get the placeholder Google documents for that case.
 */
const NEEDS_THOUGHT_SIGNATURES = /(^|\/)gemini-3/

export function toGeminiRequest(req: ChatRequest, model = ''): Record<string, unknown> {
  const conversation = toGeminiConversation(req.messages, NEEDS_THOUGHT_SIGNATURES.test(model))
  const body: Record<string, unknown> = { ...conversation }
  if (req.tools?.length) body.tools = [{ functionDeclarations: req.tools.map(toFunctionDeclaration) }]
  if (req.tool_choice !== undefined)
    body.toolConfig = { functionCallingConfig: toFunctionCallingConfig(req.tool_choice) }
  const generationConfig = toGenerationConfig(req)
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig
  return body
}

export function toFunctionDeclaration(tool: FunctionTool): Record<string, unknown> {
  const { name, description, parameters } = tool.function
  const declaration: Record<string, unknown> = { name }
  if (description) declaration.description = description
  if (parameters) {
    const schema = toGeminiSchema(parameters)
    if (!declaresNoParameters(schema)) declaration.parameters = schema
  }
  return declaration
}

function toFunctionCallingConfig(choice: ToolChoice): Record<string, unknown> {
  if (typeof choice === 'string') return { mode: MODE_BY_TOOL_CHOICE[choice] ?? 'AUTO' }
  return { mode: 'ANY', allowedFunctionNames: [choice.function.name] }
}

function toGenerationConfig(req: ChatRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {}
  for (const [from, to] of GENERATION_FIELDS) if (req[from] != null) config[to] = req[from]
  const maxTokens = req.max_completion_tokens ?? req.max_tokens
  if (maxTokens != null) config.maxOutputTokens = maxTokens
  if (req.stop != null) config.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop
  const format = req.response_format
  if (format?.type === 'json_object') config.responseMimeType = 'application/json'
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json'
    if (format.json_schema?.schema) config.responseSchema = toGeminiSchema(format.json_schema.schema)
  }
  const budget = thinkingBudget(req)
  // Thought summaries are asked for whenever thinking is on, so they can stream as reasoning_content.
  if (budget !== undefined) config.thinkingConfig = { thinkingBudget: budget, includeThoughts: budget > 0 }
  return config
}

/** Anthropic-style `thinking` (from Anthropic clients) is the more precise ask, so it wins over reasoning_effort. */
function thinkingBudget(req: ChatRequest): number | undefined {
  if (req.thinking?.type === 'enabled' && typeof req.thinking.budget_tokens === 'number')
    return req.thinking.budget_tokens
  if (req.thinking?.type === 'disabled') return 0
  return req.reasoning_effort === undefined ? undefined : THINKING_BUDGET_BY_EFFORT[req.reasoning_effort]
}
