// One table-driven conformance suite over every provider type in the registry, fed by recorded-format
// fixtures in test/fixtures/<type>/<case>/ (see test/helpers/fixtures.ts). Each case asserts both
// translations it has files for: the request we send upstream and the reply, stream or error we hand back.
// A type added to the registry without fixtures (and their subject.json) fails.

import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../src-gateway/core/chat-types.js'
import { GatewayError } from '../../src-gateway/core/errors.js'
import { createNdjsonParser, createSseParser } from '../../src-gateway/core/sse.js'
import { ADAPTERS, PROVIDER_TYPES } from '../../src-gateway/providers/registry.js'
import type { ProviderContext } from '../../src-gateway/providers/types.js'
import { errorView, type FixtureCase, loadCases, replayStream, withSyntheticIdsMasked } from '../helpers/fixtures.js'

/**
 * test/fixtures/<type>/subject.json: how the cases call the provider. A new type needs its fixtures folder
 * with this file and the required cases, and no change here.
 */
interface Subject {
  /** The upstream model name the router resolved the client's model to. */
  model: string
  /** Besides the type's default base URL. */
  ctx: Omit<ProviderContext, 'baseUrl'>
  /** Cases this type must have instead of REQUIRED_CASES, where its API has no such case (Anthropic's). */
  required?: string[]
  /** The cases name their own upstream model (in upstream.request.json), as Anthropic's do. */
  modelPerCase?: boolean
}

const fixtures = new URL('../fixtures/', import.meta.url)

function subjectOf(type: string): Subject | undefined {
  const file = new URL(`${type}/subject.json`, fixtures)
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Subject) : undefined
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

describe.each(PROVIDER_TYPES)('%s conformance', (provider) => {
  const adapter = ADAPTERS[provider]
  const subject = subjectOf(provider)
  const ctx: ProviderContext = { baseUrl: adapter.descriptor.defaultBaseUrl, ...subject?.ctx }
  // `inbound-*` cases are the Anthropic client dialect's, checked by its own tests.
  const cases = subject ? loadCases(provider).filter((c) => !c.name.startsWith('inbound-')) : []

  it('has a subject and every required case', () => {
    expect(subject, `no test/fixtures/${provider}/subject.json`).toBeDefined()
    expect(adapter.descriptor.type).toBe(provider)
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(subject?.required ?? REQUIRED_CASES))
  })

  it.each(cases)('$name', (c: FixtureCase) => {
    const body = c.upstreamRequest?.body as { model?: string } | undefined
    const model = (subject?.modelPerCase && body?.model) || subject?.model || ''
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
