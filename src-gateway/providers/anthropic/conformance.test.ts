// Table-driven conformance over test/fixtures/anthropic/<case>/: each case is checked for every direction
// it has files for: the request we send, the reply we return, the stream we decode, the error we raise.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ChatChunk } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { createSseParser } from '../../core/sse.js'
import { anthropic } from './index.js'

const root = new URL('../../../test/fixtures/anthropic/', import.meta.url)
const cases = readdirSync(root).filter((c) => !c.startsWith('inbound-'))
const ctx = { baseUrl: 'https://api.anthropic.com', apiKey: 'test-key' }

const has = (c: string, f: string) => existsSync(new URL(`${c}/${f}`, root))
const text = (c: string, f: string) => readFileSync(new URL(`${c}/${f}`, root), 'utf8')
const json = (c: string, f: string) => JSON.parse(text(c, f))
const withFiles = (...files: string[]) => cases.filter((c) => files.every((f) => has(c, f)))
const modelOf = (c: string) =>
  has(c, 'upstream.request.json') ? json(c, 'upstream.request.json').body.model : 'claude-sonnet-4-5'

/** Feeds the SSE text in small slices (events split across network chunks) and collects chunks or the error. */
function decode(sse: string, model: string): { chunks: ChatChunk[]; error?: GatewayError } {
  const parser = createSseParser()
  const decoder = anthropic.chatStream(model)
  const chunks: ChatChunk[] = []
  try {
    for (let i = 0; i < sse.length; i += 37) {
      for (const f of parser.push(sse.slice(i, i + 37))) chunks.push(...decoder.push(f))
    }
    for (const f of parser.flush()) chunks.push(...decoder.push(f))
    chunks.push(...decoder.end())
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    return { chunks, error: err }
  }
  return { chunks }
}

const errorView = (e: GatewayError) => ({
  kind: e.kind,
  status: e.status,
  message: e.message,
  ...(e.opts.retryAfter ? { retryAfter: e.opts.retryAfter } : {}),
})

describe('anthropic provider conformance', () => {
  it('finds the fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(13))

  it.each(withFiles('in.openai.json', 'upstream.request.json'))('%s: upstream request', (c) => {
    const req = anthropic.chatRequest(json(c, 'in.openai.json'), modelOf(c), ctx)
    expect({ ...req, body: JSON.parse(req.body!) }).toEqual(json(c, 'upstream.request.json'))
  })

  it.each(withFiles('upstream.response.json'))('%s: reply', (c) => {
    expect(anthropic.chatResponse(json(c, 'upstream.response.json'), modelOf(c))).toEqual(json(c, 'out.openai.json'))
  })

  it.each(withFiles('upstream.sse'))('%s: stream', (c) => {
    const { chunks, error } = decode(text(c, 'upstream.sse'), modelOf(c))
    expect(chunks).toEqual(json(c, 'out.chunks.json'))
    if (has(c, 'out.error.json')) expect(error && errorView(error)).toEqual(json(c, 'out.error.json'))
    else expect(error).toBeUndefined()
  })

  it.each(withFiles('upstream.error.json'))('%s: error reply', (c) => {
    const { status, headers, body } = json(c, 'upstream.error.json')
    expect(errorView(anthropic.error(status, body, headers))).toEqual(json(c, 'out.error.json'))
  })
})
