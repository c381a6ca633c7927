// One table-driven conformance suite over every provider in this table, fed by recorded-format fixtures in
// test/fixtures/<provider>/<case>/ (see test/helpers/fixtures.ts). Each case asserts both translations it
// has files for: the request we send upstream and the reply, stream or error we hand back.

import { describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../src-gateway/core/chat-types.js'
import { GatewayError } from '../../src-gateway/core/errors.js'
import { createNdjsonParser, createSseParser } from '../../src-gateway/core/sse.js'
import { gemini } from '../../src-gateway/providers/gemini/index.js'
import { llamacpp } from '../../src-gateway/providers/llamacpp/index.js'
import { ollama } from '../../src-gateway/providers/ollama/index.js'
import type { ProviderAdapter, ProviderContext } from '../../src-gateway/providers/types.js'
import { errorView, type FixtureCase, loadCases, replayStream, withSyntheticIdsMasked } from '../helpers/fixtures.js'

interface Subject {
  adapter: ProviderAdapter
  /** The upstream model name the router resolved the client's model to. */
  model: string
  ctx: ProviderContext
}

const SUBJECTS: Record<string, Subject> = {
  gemini: { adapter: gemini, model: 'gemini-2.5-flash', ctx: { baseUrl: gemini.defaultBaseUrl, apiKey: 'test-key' } },
  ollama: { adapter: ollama, model: 'llama3.2', ctx: { baseUrl: ollama.defaultBaseUrl } },
  llamacpp: { adapter: llamacpp, model: 'qwen3-8b', ctx: { baseUrl: llamacpp.defaultBaseUrl, apiKey: 'test-key' } },
}

/** Every provider must cover these; more cases per provider are welcome. */
const REQUIRED_CASES = [
  'chat-basic',
  'system',
  'image',
  'tools',
  'stream-text',
  'stream-tool-call',
  'stream-truncated',
  'usage',
  'error-400',
  'error-401',
  'error-404',
  'error-429',
  'error-500',
  'error-503',
]

/** Different byte splits on every seed: parsing must not depend on where the network cuts. */
const SEEDS = [1, 2, 3, 42]

describe.each(Object.keys(SUBJECTS))('%s conformance', (provider) => {
  const { adapter, model, ctx } = SUBJECTS[provider]
  const cases = loadCases(provider)

  it('has every required case', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(REQUIRED_CASES))
  })

  it.each(cases)('$name', (c: FixtureCase) => {
    let checked = 0
    const input = c.input as ChatRequest | undefined
    if (input && c.upstreamRequest) {
      const req = adapter.chatRequest(input, model, ctx)
      expect({ ...req, body: req.body === undefined ? undefined : JSON.parse(req.body) }).toEqual(c.upstreamRequest)
      checked++
    }
    if (input && !c.upstreamRequest && c.expectedError && !c.upstreamStream && !c.upstreamError) {
      // A request the upstream cannot take is refused before it is sent.
      let thrown: unknown
      try {
        adapter.chatRequest(input, model, ctx)
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(GatewayError)
      expect(errorView(thrown as GatewayError)).toEqual(c.expectedError)
      checked++
    }
    if (c.upstreamResponse !== undefined) {
      expect(withSyntheticIdsMasked(adapter.chatResponse(c.upstreamResponse, model))).toEqual(c.expected)
      checked++
    }
    if (c.upstreamStream !== undefined) {
      for (const seed of SEEDS) {
        const parser = adapter.framing === 'ndjson' ? createNdjsonParser() : createSseParser()
        const { chunks, error } = replayStream(c.upstreamStream, parser, adapter.chatStream(model), seed)
        expect(withSyntheticIdsMasked(chunks), `seed ${seed}`).toEqual(c.expectedChunks)
        expect(error && errorView(error), `seed ${seed}`).toEqual(c.expectedError)
      }
      checked++
    }
    if (c.upstreamError) {
      const { status, headers, body } = c.upstreamError
      expect(errorView(adapter.error(status, body, headers))).toEqual(c.expectedError)
      checked++
    }
    expect(checked, 'a case with no checkable files').toBeGreaterThan(0)
  })
})
