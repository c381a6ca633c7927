// Loads provider conformance fixtures from test/fixtures/<provider>/<case>/ and replays recorded streams.
// Files per case (each optional; a case is checked in every direction it has files for):
//   in.openai.json          canonical request            upstream.request.json  {method, path, headers, body}
//   upstream.response.json  upstream reply body          out.openai.json        canonical reply
//   upstream.sse|.ndjson    upstream stream bytes        out.chunks.json        canonical chunks
//   upstream.error.json     {status, headers, body}      out.error.json         {kind, status, message, …}

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { ChatChunk } from '../../src-gateway/core/chat-types.js'
import { GatewayError } from '../../src-gateway/core/errors.js'
import type { FrameParser } from '../../src-gateway/core/sse.js'
import type { ChatStreamDecoder } from '../../src-gateway/providers/types.js'

export interface UpstreamErrorFixture {
  status: number
  headers: Record<string, string>
  body: string
}

export interface FixtureCase {
  name: string
  input?: Record<string, unknown>
  upstreamRequest?: { method: string; path: string; headers: Record<string, string>; body?: unknown }
  upstreamResponse?: unknown
  upstreamStream?: string
  expected?: unknown
  expectedChunks?: unknown[]
  upstreamError?: UpstreamErrorFixture
  expectedError?: ErrorView
}

export interface ErrorView {
  kind: string
  status: number
  message: string
  retryAfter?: string
  code?: string
}

const root = new URL('../fixtures/', import.meta.url)

export function loadCases(provider: string): FixtureCase[] {
  const dir = new URL(`${provider}/`, root)
  // Cases are the folders; files beside them (a provider's subject.json) describe the provider.
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = (f: string) => new URL(`${name}/${f}`, dir)
      const json = (f: string) => (existsSync(file(f)) ? JSON.parse(readFileSync(file(f), 'utf8')) : undefined)
      const text = (f: string) => (existsSync(file(f)) ? readFileSync(file(f), 'utf8') : undefined)
      const upstreamError = json('upstream.error.json')
      // Error bodies may be written as JSON objects for readability; upstreams send them as text.
      if (upstreamError && typeof upstreamError.body !== 'string')
        upstreamError.body = JSON.stringify(upstreamError.body)
      return {
        name,
        input: json('in.openai.json'),
        upstreamRequest: json('upstream.request.json'),
        upstreamResponse: json('upstream.response.json'),
        upstreamStream: text('upstream.sse') ?? text('upstream.ndjson'),
        expected: json('out.openai.json'),
        expectedChunks: json('out.chunks.json'),
        upstreamError,
        expectedError: json('out.error.json'),
      }
    })
}

export function errorView(e: GatewayError): ErrorView {
  const view: ErrorView = { kind: e.kind, status: e.status, message: e.message }
  if (e.opts.retryAfter) view.retryAfter = e.opts.retryAfter
  if (e.opts.code) view.code = e.opts.code
  return view
}

/** A small deterministic PRNG, so a failing split can be reproduced from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Feeds recorded stream bytes through the real frame parser in random-sized byte slices (1–16 bytes, so
 * events, `\r\n` pairs and UTF-8 characters get cut), then into the decoder. Returns the chunks produced
 * before the decoder threw, and the GatewayError it threw, if any.
 */
export function replayStream(
  bytes: string,
  parser: FrameParser,
  decoder: ChatStreamDecoder,
  seed: number,
): { chunks: ChatChunk[]; error?: GatewayError } {
  const buf = Buffer.from(bytes, 'utf8')
  const random = mulberry32(seed)
  const chunks: ChatChunk[] = []
  try {
    for (let i = 0; i < buf.length; ) {
      const n = 1 + Math.floor(random() * 16)
      for (const f of parser.push(buf.subarray(i, i + n))) chunks.push(...decoder.push(f))
      i += n
    }
    for (const f of parser.flush()) chunks.push(...decoder.push(f))
    chunks.push(...decoder.end())
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    return { chunks, error: err }
  }
  return { chunks }
}

const SYNTHETIC_ID = /^(call_|chatcmpl-)[0-9A-Za-z]{24}$/

/** Ids the gateway makes up (Gemini and Ollama send none) are random; fixtures write them as `<prefix><synthetic>`. */
export function withSyntheticIdsMasked<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v) =>
    typeof v === 'string' && SYNTHETIC_ID.test(v) ? v.replace(SYNTHETIC_ID, '$1<synthetic>') : v,
  )
}
