import type { Writable } from 'node:stream'
import type { ClientDialect } from '../api/dialects.js'
import type { DialectCodec } from '../api/types.js'
import type { CallAbort } from '../core/cancel.js'
import type { GatewayError } from '../core/errors.js'

/**
 * Who makes a call. A client key, the admin (the UI's Playground, with the admin token or session), anyone on
 * a keyless loopback gateway, or the gateway itself on the admin's behalf: a comparison or a replay, which
 * runs without a key's limits or budget. `person` names the signed-in member an admin or system call is made
 * for (team mode), whom its log row is attributed to; `workspace` the workspace it is made in (a key's call takes
 * its key's), which its log row, its workspace's budget and the routes it may address follow.
 */
export type CallerIdentity =
  | { kind: 'key'; name: string }
  | { kind: 'admin'; person?: string; workspace?: string }
  | { kind: 'open' }
  | { kind: 'system'; purpose: 'comparison' | 'replay'; person?: string; workspace?: string }

/** The client key admission, limits and protection are read for: only a key call has one. */
export function keyNameOf(identity: CallerIdentity): string | undefined {
  return identity.kind === 'key' ? identity.name : undefined
}

/** The workspace a call without a key was made in (the UI's, in team mode); a key's call takes its key's. */
export function workspaceOf(identity: CallerIdentity): string | undefined {
  return identity.kind === 'admin' || identity.kind === 'system' ? identity.workspace : undefined
}

/**
 * One chat call as the pipeline sees it, whichever transport brought it: who is calling, in which dialect,
 * with what. It carries no HTTP framework types, so the same call can come from a route, a prompt run or
 * a comparison.
 */
export interface GatewayCall {
  requestId: string
  /** Who is calling: set by whatever authenticated the call, never by the request. */
  identity: CallerIdentity
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
  /**
   * Takes the answer over for a stream (headers set so far plus `contentType`): where to write it. Only
   * Writable's own members are used, so a transport without a socket can take a stream too.
   */
  stream(contentType: string | undefined): Writable
  /** Sends an error in the call's dialect, unless something was sent already. */
  error(err: GatewayError): void
  /** Reports an exception that is the gateway's own fault. */
  logError(err: unknown, message: string): void
}
