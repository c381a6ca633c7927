import type { CancelSignal } from '../core/cancel.js'
import { GatewayError } from '../core/errors.js'
import type { AttemptFailure, LogEvent } from '../core/log-event.js'
import type { AdmittedRequest } from '../pipeline/admission.js'
import type { UpstreamRequest } from '../providers/types.js'
import type { PlannedTarget, RoutePlan } from './plan.js'
import { backoffDelay, retryAfterMs } from './retry.js'

/** What the executor's loop needs from the gateway: time, waiting and chance, injected so tests control them. */
export interface ExecutorDeps {
  clock: () => number
  sleep: (ms: number, signal: CancelSignal) => Promise<void>
  random: () => number
}

/** One kind of call (chat, embeddings, token counting) as the executor tries it on each target. */
export interface AttemptJob<Answer> {
  /**
   * The provider's own rate limit for this call: the 429 to record when the provider has no room. A Promise
   * only when the limits are shared through Redis.
   */
  limit(target: PlannedTarget): GatewayError | undefined | Promise<GatewayError | undefined>
  /**
   * The request for one target, or the client error that keeps it from being sent (a field the target's
   * API cannot express). Anything else thrown is the gateway's own fault and propagates as a 500.
   */
  build(target: PlannedTarget): UpstreamRequest | GatewayError
  /**
   * Sends one attempt. Resolves with the answer or the upstream's (scrubbed) GatewayError; throws only for
   * the gateway's own exceptions, which say nothing about the upstream.
   */
  send(target: PlannedTarget, request: UpstreamRequest, probe: boolean): Promise<Answer | GatewayError>
}

/** Upstream trouble the breaker counts: timeouts, transport errors, 429 and 5xx (not bad requests). */
export function isUpstreamFault(err: GatewayError): boolean {
  return err.status === 408 || err.status === 429 || err.status >= 500
}

/**
 * Tries the plan's targets in order until one answers with a 2xx: each target as often as the retry
 * policy and the route's retry budget allow, skipping targets whose circuit is open, moving on only
 * for failures another target might not have.
 */
export async function tryTargets<Answer>(
  deps: ExecutorDeps,
  /** Only an admitted request is ever sent upstream. */
  _admitted: AdmittedRequest,
  plan: RoutePlan,
  event: LogEvent,
  signal: CancelSignal,
  job: AttemptJob<Answer>,
): Promise<{ target: PlannedTarget; res: Answer }> {
  plan.budget.earn()
  let lastError: GatewayError | undefined
  const failures: AttemptFailure[] = []
  for (const [i, target] of plan.targets.entries()) {
    event.provider = target.provider.id
    event.model = target.model
    let upstreamReq: UpstreamRequest | undefined
    for (let retry = 0; ; retry++) {
      // The provider's own rate limit first: a refusal here must not use up a half-open circuit's probe.
      const checked = job.limit(target)
      const limited = checked instanceof Promise ? await checked : checked
      if (limited) {
        lastError = limited
        failures.push({ provider: target.provider.id, model: target.model, status: 429, error: limited.message })
        break
      }
      // Built before the breaker is asked, for the same reason: a request this target cannot take says
      // nothing about the upstream's health, so it neither counts against the circuit nor acts as its probe.
      if (!upstreamReq) {
        const built = job.build(target)
        if (built instanceof GatewayError) {
          lastError = built
          failures.push({
            provider: target.provider.id,
            model: target.model,
            status: built.status,
            error: built.message,
          })
          break
        }
        upstreamReq = built
      }
      if (!target.breaker.allow(deps.clock())) {
        const wait = Math.ceil(target.breaker.retryInMs(deps.clock()) / 1000)
        lastError = new GatewayError('upstream_overloaded', `circuit open for ${target.key}; retry in ${wait}s`, {
          provider: target.provider.id,
          retryAfter: String(wait),
          code: 'circuit_open',
        })
        failures.push({ provider: target.provider.id, model: target.model, error: lastError.message })
        break
      }
      event.attempts++
      // Asked right after `allow`: a half-open circuit lets its one probe through.
      const probe = target.breaker.state === 'half-open'
      const attemptStart = Date.now()
      const res = await job.send(target, upstreamReq, probe).catch((err) => {
        // The gateway's own exception propagates (a 500), and a probe it cut short is given back.
        if (probe) target.breaker.release()
        throw err
      })
      if (!(res instanceof GatewayError)) {
        target.breaker.success(deps.clock())
        if (failures.length > 0) {
          event.attemptFailures = failures
          event.isFallback = i > 0
        }
        return { target, res }
      }
      // The caller left (or the gateway is closing) and cut the attempt short: no verdict on the upstream
      // either, so it is neither counted nor listed among the attempts that failed (earlier ones are).
      if (signal.aborted) {
        if (probe) target.breaker.release()
        if (failures.length > 0) event.attemptFailures = failures
        throw res
      }
      lastError = res
      failures.push({
        provider: target.provider.id,
        model: target.model,
        status: res.status,
        error: res.message,
        startedAt: attemptStart,
        durationMs: Date.now() - attemptStart,
      })
      if (isUpstreamFault(res)) target.breaker.failure(deps.clock())
      else target.breaker.success(deps.clock())
      // A timeout already cost the whole wait: with another target left, that one is tried instead.
      const waitedOut = res.kind === 'upstream_timeout' && i < plan.targets.length - 1
      if (isUpstreamFault(res) && !waitedOut && retry < plan.retry.attempts) {
        const after = retryAfterMs(res.opts.retryAfter, deps.clock())
        if ((after === undefined || after <= plan.retry.maxRetryAfterMs) && plan.budget.spend()) {
          await deps.sleep(Math.max(after ?? 0, backoffDelay(retry, plan.retry, deps.random)), signal)
          if (signal.aborted) throw res
          continue
        }
      }
      break
    }
    const canFallBack = lastError && (isUpstreamFault(lastError) || plan.fallbackOn.has(lastError.status))
    if (!canFallBack || i === plan.targets.length - 1) break
  }
  event.attemptFailures = failures
  throw lastError ?? new GatewayError('internal', 'no target to try')
}
