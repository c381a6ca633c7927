import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { VERSION } from '../version.js'

// The public HTTP contract (DESIGN.md) as OpenAPI 3.1. Hand-written: the hot routes carry no Fastify
// schemas (vendor parameters must reach providers untouched), so nothing could be generated from them.

const json = (schema: object) => ({ 'application/json': { schema } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const sse = { 'text/event-stream': { schema: { type: 'string', description: 'Server-sent events' } } }

const errors = {
  '400': { description: 'Bad input', content: json(ref('OpenAIError')) },
  '404': { description: 'Unknown model (lists close matches)', content: json(ref('OpenAIError')) },
  '413': { description: 'Body over the configured limit', content: json(ref('OpenAIError')) },
  '429': { description: 'Rate limited upstream; carries Retry-After', content: json(ref('OpenAIError')) },
  '502': { description: 'Upstream failed', content: json(ref('OpenAIError')) },
  '503': { description: 'Upstream overloaded or circuit open', content: json(ref('OpenAIError')) },
  '504': { description: 'Upstream timed out', content: json(ref('OpenAIError')) },
}

const chatBody = {
  type: 'object',
  required: ['model', 'messages'],
  additionalProperties: true,
  properties: {
    model: { type: 'string', description: 'Route alias, provider/model, or a model exactly one provider lists' },
    messages: { type: 'array', items: { type: 'object', additionalProperties: true } },
    stream: { type: 'boolean' },
    stream_options: { type: 'object', properties: { include_usage: { type: 'boolean' } } },
    tools: { type: 'array', items: { type: 'object' } },
    tool_choice: {},
    response_format: { type: 'object' },
    temperature: { type: 'number' },
    top_p: { type: 'number' },
    max_tokens: { type: 'integer' },
    max_completion_tokens: { type: 'integer' },
    stop: {},
    seed: { type: 'integer' },
  },
}

/** Groups the call into a coding session and a project (docs/sessions.md); Claude Code and Codex need neither. */
const sessionHeaders = [
  { name: 'x-switchyard-session', in: 'header', schema: { type: 'string', maxLength: 128 } },
  { name: 'x-switchyard-project', in: 'header', schema: { type: 'string', maxLength: 200 } },
]

const chatResponses = {
  '200': {
    description:
      'A chat completion (JSON), or `chat.completion.chunk` events ending with `data: [DONE]` when streaming',
    headers: {
      'x-request-id': { schema: { type: 'string' } },
      'x-switchyard-provider': { schema: { type: 'string' } },
      'x-switchyard-model': { schema: { type: 'string' } },
      'x-switchyard-attempts': { schema: { type: 'string' } },
    },
    content: { ...json({ type: 'object', additionalProperties: true }), ...sse },
  },
  ...errors,
}

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Switchyard',
    version: VERSION,
    description:
      'A local LLM gateway: the OpenAI, Anthropic, OpenAI Responses and Ollama APIs in front of every configured provider. ' +
      'Errors come back in the format of the API called. Clients may authenticate with `Authorization: Bearer` or `x-api-key`.',
  },
  servers: [{ url: '/' }],
  tags: [
    { name: 'OpenAI' },
    { name: 'Anthropic' },
    { name: 'Responses' },
    { name: 'Ollama' },
    { name: 'Prompts' },
    { name: 'Operations' },
  ],
  paths: {
    '/v1/chat/completions': {
      post: {
        tags: ['OpenAI'],
        summary: 'Chat completion (stream or not), tools, images',
        parameters: sessionHeaders,
        requestBody: { required: true, content: json(chatBody) },
        responses: chatResponses,
      },
    },
    '/v1/embeddings': {
      post: {
        tags: ['OpenAI'],
        summary: 'Embeddings',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['model', 'input'],
            properties: { model: { type: 'string' }, input: {}, encoding_format: { enum: ['float', 'base64'] } },
          }),
        },
        responses: { '200': { description: 'Embedding list', content: json({ type: 'object' }) }, ...errors },
      },
    },
    '/v1/models': {
      get: {
        tags: ['OpenAI', 'Anthropic'],
        summary: 'Route aliases and provider models, shaped for both the OpenAI and the Anthropic SDK',
        responses: { '200': { description: 'Model list', content: json(ref('ModelList')) } },
      },
    },
    '/v1/messages': {
      post: {
        tags: ['Anthropic'],
        summary: 'Anthropic Messages (stream or not), tools, images, system',
        parameters: [
          { name: 'anthropic-version', in: 'header', schema: { type: 'string' } },
          { name: 'anthropic-beta', in: 'header', schema: { type: 'string' } },
          ...sessionHeaders,
        ],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['model', 'max_tokens', 'messages'],
            additionalProperties: true,
            properties: {
              model: { type: 'string' },
              max_tokens: { type: 'integer' },
              messages: { type: 'array', items: { type: 'object' } },
              system: {},
              stream: { type: 'boolean' },
              tools: { type: 'array', items: { type: 'object' } },
            },
          }),
        },
        responses: {
          '200': { description: 'A message, or the Anthropic SSE event sequence', content: { ...json({}), ...sse } },
          '400': { description: 'Bad input', content: json(ref('AnthropicError')) },
          '404': { description: 'Unknown model', content: json(ref('AnthropicError')) },
          '529': { description: 'Upstream overloaded', content: json(ref('AnthropicError')) },
        },
      },
    },
    '/v1/messages/count_tokens': {
      post: {
        tags: ['Anthropic'],
        summary: 'Prompt token count: exact from Anthropic/Gemini upstreams, else a tokenizer estimate',
        responses: { '200': { description: '`{"input_tokens": N}`', content: json({ type: 'object' }) } },
      },
    },
    '/v1/responses': {
      post: {
        tags: ['Responses'],
        summary: 'OpenAI Responses API (stream or not), translated to every provider',
        parameters: sessionHeaders,
        responses: chatResponses,
      },
    },
    '/v1/prompts/{name}/run': {
      post: {
        tags: ['Prompts'],
        summary: 'Render a stored prompt with variables and run it; answers like /v1/chat/completions',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }, ...sessionHeaders],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: {
              variables: { type: 'object', additionalProperties: true },
              version: { type: 'integer' },
              label: { type: 'string' },
              stream: { type: 'boolean' },
              model: { type: 'string' },
            },
          }),
        },
        responses: chatResponses,
      },
    },
    '/api/chat': {
      post: {
        tags: ['Ollama'],
        summary: 'Ollama chat (NDJSON stream by default)',
        parameters: sessionHeaders,
        responses: { '200': { description: 'NDJSON or JSON' } },
      },
    },
    '/api/generate': {
      post: { tags: ['Ollama'], summary: 'Ollama generate', responses: { '200': { description: 'NDJSON or JSON' } } },
    },
    '/api/embed': {
      post: { tags: ['Ollama'], summary: 'Ollama embeddings', responses: { '200': { description: 'Embeddings' } } },
    },
    '/api/tags': {
      get: {
        tags: ['Ollama'],
        summary: 'Every servable model, Ollama-shaped',
        responses: { '200': { description: 'Model list' } },
      },
    },
    '/api/show': {
      post: {
        tags: ['Ollama'],
        summary: 'Model details and capabilities',
        responses: { '200': { description: 'Details' } },
      },
    },
    '/api/ps': { get: { tags: ['Ollama'], summary: 'Loaded models', responses: { '200': { description: 'List' } } } },
    '/api/version': {
      get: { tags: ['Ollama'], summary: 'Version probe', responses: { '200': { description: 'Version' } } },
    },
    '/health': {
      get: {
        tags: ['Operations'],
        summary: 'Liveness; never needs a key',
        responses: {
          '200': {
            description:
              '`{"status":"ok"}`; with `redis` or `database` configured also `"backends":{"redis":"ok"|"unavailable","postgres":"ok"|"unavailable"}` (each present when configured; Postgres being down does not make `/ready` unready)',
            content: json({ type: 'object' }),
          },
        },
      },
    },
    '/ready': {
      get: {
        tags: ['Operations'],
        summary: 'Readiness for load balancers; never needs a key',
        responses: {
          '200': { description: '`{"status":"ready"}`', content: json({ type: 'object' }) },
          '503': {
            description:
              '`{"status":"unavailable","backends":{"redis":"unavailable"}}`: a shared backend whose policies fail closed is unreachable, or the gateway is shutting down',
            content: json({ type: 'object' }),
          },
        },
      },
    },
    '/metrics': {
      get: {
        tags: ['Operations'],
        summary: 'Prometheus metrics: requests, tokens, cost, latency, circuit state, log queue',
        responses: {
          '200': { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      OpenAIError: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              type: { type: 'string' },
              param: { type: ['string', 'null'] },
              code: { type: ['string', 'null'] },
            },
          },
        },
      },
      AnthropicError: {
        type: 'object',
        properties: {
          type: { const: 'error' },
          error: { type: 'object', properties: { type: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      ModelList: {
        type: 'object',
        properties: {
          object: { const: 'list' },
          data: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                object: { const: 'model' },
                type: { const: 'model' },
                owned_by: { type: 'string' },
                display_name: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
}

/** GET /openapi.json and the Swagger UI at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, { mode: 'static', specification: { document: OPENAPI_DOCUMENT as never } })
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger())
}
