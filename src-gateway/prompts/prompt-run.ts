import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'
import type { PromptStore } from './prompt-store.js'
import { selectVersion } from './select-version.js'
import { renderMessages } from './template.js'
import type { PromptVersion } from './types.js'

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
function taggedContext(
  gw: GatewayContext,
  tags: Pick<LogEvent, 'promptName' | 'promptVersion' | 'promptArm'>,
): GatewayContext {
  return { ...gw, sink: { push: (e: LogEvent) => gw.sink.push({ ...e, ...tags }), close: () => gw.sink.close() } }
}

/** A prompt run made ready for the chat pipeline. */
export interface PromptRun {
  version: PromptVersion
  /** The A/B arm that picked the version, when a split label did. */
  arm?: string
  /** The chat completion body the version rendered to. */
  body: Record<string, unknown>
  /** The gateway context to run it with: its log rows name the prompt, version and arm. */
  gw: GatewayContext
}

/**
 * Prepares a run of the stored prompt `name` from a run body (`variables`, `version` or `label`, chat
 * parameters that override the prompt's): picks the version, renders it, and tags its log rows. Both the
 * prompt endpoint and the comparison runner run prompts through this. `caller` names who calls, given the
 * body's `user`, for a split label's sticky arm.
 */
export async function preparePromptRun(
  gw: GatewayContext,
  store: PromptStore,
  name: string,
  runBody: unknown,
  caller: (user: unknown) => string,
): Promise<PromptRun> {
  const { variables, version, label, overrides } = readRunBody(runBody)
  const chosen = await selectVersion(
    store,
    name,
    { version: version as number | undefined, label: label as string | undefined },
    caller(overrides.user),
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
  return {
    version: v,
    arm: chosen.arm,
    body: chatBody(v, rendered.messages, overrides),
    gw: taggedContext(gw, { promptName: name, promptVersion: v.version, promptArm: chosen.arm }),
  }
}
