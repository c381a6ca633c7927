import { describe, expect, it } from 'vitest'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'
import { admitCount } from '../pipeline/admission.js'
import { BreakerRegistry } from './breaker.js'
import { type AttemptJob, tryTargets } from './executor.js'
import type { PlannedTarget, RoutePlan } from './plan.js'
import { DEFAULT_RETRY, RetryBudget } from './retry.js'

const breakers = new BreakerRegistry()
const target = (model: string) =>
  ({
    provider: { id: 'p' },
    model,
    key: `p/${model}`,
    timeouts: {},
    breaker: breakers.for('p', model),
  }) as unknown as PlannedTarget
const plan: RoutePlan = {
  targets: [target('down'), target('up')],
  retry: { ...DEFAULT_RETRY, attempts: 0 },
  budget: new RetryBudget(0.2),
  fallbackOn: new Set(),
}
const deps = { clock: () => 0, sleep: async () => undefined, random: () => 0 }
const never = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} }
const job: AttemptJob<string> = {
  limit: () => undefined,
  build: () => ({ method: 'POST', path: '/', headers: {}, body: '' }),
  send: async (t) =>
    t.model === 'down' ? new GatewayError('upstream', 'boom', { status: 500 }) : `answer of ${t.model}`,
}
const admitted = admitCount(
  { policies: { restrictions: () => undefined } } as unknown as GatewayContext,
  undefined,
  'm',
)

describe('tryTargets', () => {
  it('falls back past a failing target and records the failed attempt with its timing', async () => {
    const event = { attempts: 0 } as LogEvent
    const { target: served, res } = await tryTargets(deps, admitted, plan, event, never, job)
    expect([served.model, res]).toEqual(['up', 'answer of up'])
    expect(event).toMatchObject({ attempts: 2, isFallback: true })
    expect(event.attemptFailures).toEqual([
      expect.objectContaining({
        model: 'down',
        status: 500,
        startedAt: expect.any(Number),
        durationMs: expect.any(Number),
      }),
    ])
  })

  it('sends only an admitted request', () => {
    const event = { attempts: 0 } as LogEvent
    // @ts-expect-error: only pipeline/admission.ts can make an AdmittedRequest
    const skipped = () => tryTargets(deps, { admission: admitted.admission }, plan, event, never, job)
    expect(typeof skipped).toBe('function')
  })
})
