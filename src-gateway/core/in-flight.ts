import type { CallAbort, CancelSignal } from './cancel.js'
import { GatewayError } from './errors.js'

/** How long a shutdown waits for calls in flight (config `server.shutdownGraceMs`). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000

/** What a shutdown did: the calls in flight when it began, and how many of them the grace period ran out on. */
export interface ShutdownReport {
  inFlight: number
  ended: number
  graceMs: number
}

/**
 * The error a call still running at the end of the grace period is ended with. It is its cancel reason,
 * so the pipeline tells it from a caller that left (a 499): the caller gets it in its own format, as a
 * response or as a stream's error event, and the log row records it.
 */
function shutdownError(graceMs: number): GatewayError {
  return new GatewayError(
    'internal',
    `the gateway is shutting down; the call was ended after the ${graceMs / 1000} s grace period`,
    {
      status: 503,
      code: 'shutting_down',
    },
  )
}

/** The error the gateway ended a call with, when it was the gateway (shutting down) and not the caller. */
export function endedByGateway(signal: CancelSignal): GatewayError | undefined {
  return signal.aborted && signal.reason instanceof GatewayError ? signal.reason : undefined
}

/** One line for `serve` to print once it stopped. */
export function describeShutdown(report: ShutdownReport | undefined): string {
  if (!report || report.inFlight === 0) return 'stopped'
  const calls = `${report.inFlight === 1 ? 'call' : 'calls'} in flight`
  if (report.ended === 0) return `stopped; ${report.inFlight} ${calls} finished first`
  return (
    `stopped; ${report.ended} of ${report.inFlight} ${calls} ended early after the ${report.graceMs / 1000} s grace ` +
    'period (server.shutdownGraceMs): their callers got an error, their rows are logged'
  )
}

/** The chat calls in flight, so a shutdown can wait for them and then end the ones still running. */
export class InFlightCalls {
  private calls = new Set<CallAbort>()
  private waiters: (() => void)[] = []
  private grace: NodeJS.Timeout | undefined
  private report: ShutdownReport | undefined

  /** Counts a call in until the returned function is called (once its log row is pushed). */
  add(call: CallAbort): () => void {
    this.calls.add(call)
    return () => {
      this.calls.delete(call)
      if (this.calls.size === 0) for (const resolve of this.waiters.splice(0)) resolve()
    }
  }

  /** Gives the calls in flight `graceMs` to finish, then ends the rest with shutdownError. */
  beginShutdown(graceMs: number): void {
    const report = { inFlight: this.calls.size, ended: 0, graceMs }
    this.report = report
    if (report.inFlight === 0) return
    this.grace = setTimeout(() => {
      report.ended = this.calls.size
      const reason = shutdownError(graceMs)
      for (const call of this.calls) call.abort(reason)
    }, graceMs)
  }

  /** Resolves once no call is in flight: at the latest just after the grace period ended the rest. */
  async idle(): Promise<void> {
    if (this.calls.size > 0) await new Promise<void>((resolve) => this.waiters.push(resolve))
    clearTimeout(this.grace)
  }

  /** What the shutdown did, once it began. */
  shutdownReport(): ShutdownReport | undefined {
    return this.report
  }
}
