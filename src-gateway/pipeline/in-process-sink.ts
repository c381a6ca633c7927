import { Writable } from 'node:stream'
import type { GatewayError } from '../core/errors.js'
import type { CallSink } from './call.js'

/** What a caller inside the gateway does with an answer as it arrives. It must not throw. */
export interface AnswerReader {
  /** A complete answer, serialised as a client would have received it. */
  json(text: string): void
  /** A piece of a streamed answer, as a client would have received it. */
  chunk(data: string | Buffer): void
  /** The call failed before any of its answer was sent (later failures arrive in the stream, as for a client). */
  error(err: GatewayError): void
}

/**
 * The answer side of a call made inside the gateway (comparisons, replays): no socket, no HTTP. Headers are
 * kept for the caller to read; the answer goes to `reader` as the pipeline writes it.
 */
export class InProcessSink implements CallSink {
  readonly headers = new Map<string, string>()
  private sent = false
  private out: Writable | undefined

  constructor(
    private readonly reader: AnswerReader,
    private readonly onFault: (err: unknown, message: string) => void,
  ) {}

  header(name: string, value: string): void {
    this.headers.set(name, value)
  }

  json(text: string): void {
    this.sent = true
    this.reader.json(text)
  }

  stream(): Writable {
    this.sent = true
    const reader = this.reader
    this.out = new Writable({
      // Strings stay strings: the reader parses text, so converting each write to a Buffer would be wasted.
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, done) {
        reader.chunk(chunk)
        done()
      },
    })
    // As an HTTP server does for its sockets: a misuse of the stream (a write after its end) is reported,
    // never an unhandled 'error' event that would take the gateway down.
    this.out.on('error', (err) => this.onFault(err, 'in-process answer stream failed'))
    return this.out
  }

  error(err: GatewayError): void {
    if (this.sent) return
    this.sent = true
    this.reader.error(err)
  }

  logError(err: unknown, message: string): void {
    this.onFault(err, message)
  }

  /** The caller stopped reading: to the pipeline, what a closed connection is to an HTTP call. */
  close(): void {
    this.out?.destroy()
  }
}
