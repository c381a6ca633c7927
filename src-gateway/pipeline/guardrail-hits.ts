import type { ChatRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { GuardrailHit, LogEvent } from '../core/log-event.js'
import { blocking, type Guardrails } from '../policies/guardrails/index.js'
import { promptChars } from '../routing/plan.js'

export function addHits(event: LogEvent, hits: GuardrailHit[]): void {
  if (hits.length > 0) event.guardrails = [...(event.guardrails ?? []), ...hits]
}

export function guardInput(guardrails: Guardrails, canonical: ChatRequest, event: LogEvent): void {
  const hits = guardrails.checkInput(canonical, () => Math.ceil(promptChars(canonical) / 4))
  addHits(event, hits)
  const blocked = blocking(hits)
  if (blocked) throw guardrailError(blocked)
}

export const isSchemaFailure = (h: GuardrailHit) => h.type === 'json_schema'

/** A call a guardrail stopped: the caller's fault or not, it must not be retried as is, so a 400. */
export function guardrailError(hit: GuardrailHit): GatewayError {
  return new GatewayError('invalid_request', `blocked by guardrail '${hit.check}' (${hit.stage}): ${hit.detail}`, {
    code: 'guardrail_blocked',
  })
}
