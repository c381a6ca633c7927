import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import type { LogEvent } from '../../core/log-event.js'
import type { GatewayContext } from '../../gateway-context.js'
import { selectVersion } from '../../prompts/select-version.js'
import { renderMessages } from '../../prompts/template.js'
import type { PromptVersion } from '../../prompts/types.js'
import type { Db } from '../../store/db.js'
import { runChat } from '../fastify-call.js'
import { openaiCodec } from '../openai/codec.js'
import { callerOf } from './caller.js'

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param })
}

/** The run's own fields; everything else in the body is a chat parameter that overrides the prompt's. */
function readRunBody(body: unknown) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('request body must be a JSON object', '')
  const { variables = {}, version, label, messages, ...overrides } = body as Record<string, unknown>
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) {
    throw invalid("'variables' must be an object of name → value", 'variables')
  }
  if (version !== undefined && (typeof version !== 'number' || !Number.isInteger(version) || version < 1)) {
    throw invalid("'version' must be a positive integer", 'version')
  }
  if (label !== undefined && (typeof label !== 'string' || label === '')) {
    throw invalid("'label' must be a non-empty string", 'label')
  }
  if (messages !== undefined) throw invalid('a prompt run takes variables, not messages', 'messages')
  return { variables: variables as Record<string, unknown>, version, label, overrides }
}

/** The chat completion body a prompt version renders to; request fields override the prompt's defaults. */
function chatBody(v: PromptVersion, messages: unknown[], overrides: Record<string, unknown>): Record<string, unknown> {
  const model = overrides.model ?? v.content.model
  if (typeof model !== 'string' || model === '') {
    throw invalid(`prompt '${v.name}' v${v.version} names no model; pass 'model'`, 'model')
  }
  const schema = v.content.responseSchema
  return {
    ...v.content.params,
    ...(schema && {
      response_format: { type: 'json_schema', json_schema: { name: v.name.replace(/[^A-Za-z0-9_-]/g, '_'), schema } },
    }),
    ...overrides,
    model,
    messages,
  }
}

/** Log events of this call carry the prompt's name, version and A/B arm. */
function taggedContext(gw: GatewayContext, tags: Pick<LogEvent, 'promptName' | 'promptVersion' | 'promptArm'>) {
  return { ...gw, sink: { push: (e: LogEvent) => gw.sink.push({ ...e, ...tags }), close: () => gw.sink.close() } }
}

/**
 * POST /v1/prompts/{name}/run: renders a stored prompt and runs it through the normal chat pipeline,
 * so the answer (body, SSE chunks, errors) is exactly what /v1/chat/completions gives.
 */
export function registerPromptRun(app: FastifyInstance, gw: GatewayContext, db: Db): void {
  app.post<{ Params: { name: string } }>('/v1/prompts/:name/run', { config: { dialect: 'openai' } }, (req, reply) => {
    const { variables, version, label, overrides } = readRunBody(req.body)
    const name = req.params.name
    const chosen = selectVersion(
      db,
      name,
      { version: version as number | undefined, label: label as string | undefined },
      callerOf(req, overrides.user),
    )
    const v = chosen.version
    const rendered = renderMessages(v.content.messages, variables)
    if (rendered.missing.length > 0) {
      throw new GatewayError(
        'invalid_request',
        `prompt '${name}' v${v.version} needs variables that were not given: ${rendered.missing.join(', ')}`,
        { param: 'variables', code: 'missing_variables' },
      )
    }
    reply.header('x-switchyard-prompt-version', String(v.version))
    if (chosen.arm) reply.header('x-switchyard-prompt-arm', chosen.arm)
    const tagged = taggedContext(gw, { promptName: name, promptVersion: v.version, promptArm: chosen.arm })
    return runChat(tagged, {
      dialect: 'openai',
      codec: openaiCodec,
      body: chatBody(v, rendered.messages, overrides),
      req,
      reply,
    })
  })
}
