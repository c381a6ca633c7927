import type { ServerResponse } from 'node:http'
import type { ClientDialect } from '../api/dialects.js'
import type { DialectCodec } from '../api/types.js'
import type { CallAbort } from '../core/cancel.js'
import type { GatewayError } from '../core/errors.js'

/**
 * One chat call as the pipeline sees it, whichever transport brought it: who is calling, in which dialect,
 * with what. It carries no HTTP framework types, so the same call can come from a route, a prompt run or
 * a comparison.
 */
export interface GatewayCall {
  requestId: string
  /** The client key the call was authenticated with; undefined for the admin or an open gateway. */
  keyName: string | undefined
  dialect: ClientDialect
  codec: DialectCodec<unknown>
  /** The client's parsed body (pass-through sends it on with only the model replaced); redaction replaces it. */
  body: Record<string, unknown>
  /** The client's bytes as sent, when the transport kept them: cheaper to log than re-serialising `body`. */
  rawBody?: string
  /** The request headers the pipeline reads (cache bypass; the Anthropic version and betas it forwards). */
  headers: Readonly<Record<string, string | string[] | undefined>>
  /** Aborted when the caller goes away, or by the gateway when its shutdown grace period is over. */
  signal: CallAbort
  /**
   * Set by the pipeline when a streamed answer must be seen chunk by chunk in canonical form (placeholders
   * to restore, output guardrails, a reply to cache): same-dialect targets are then translated too.
   */
  translate?: boolean
}

/** Where a call's answer goes: the transport's side of the call, written once the pipeline has an answer. */
export interface CallSink {
  header(name: string, value: string): void
  /** Sends a complete answer, already serialised. */
  json(text: string): void
  /** Takes the response over for a stream (headers set so far plus `contentType`): the socket to write. */
  stream(contentType: string | undefined): ServerResponse
  /** Sends an error in the call's dialect, unless something was sent already. */
  error(err: GatewayError): void
  /** Reports an exception that is the gateway's own fault. */
  logError(err: unknown, message: string): void
}
