// Table-driven conformance for the inbound Anthropic surface over test/fixtures/anthropic/inbound-*/:
// request decoding, reply encoding and stream encoding, each from files written to the documented format.
// Encoded streams are also read back through the official @anthropic-ai/sdk, the client that must accept them.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import Anthropic from '@anthropic-ai/sdk'
import { describe, expect, it } from 'vitest'
import type { ChatChunk } from '../../core/chat-types.js'
import { anthropicCodec } from './codec.js'

const root = new URL('../../../test/fixtures/anthropic/', import.meta.url)
const cases = readdirSync(root).filter((c) => c.startsWith('inbound-'))

const has = (c: string, f: string) => existsSync(new URL(`${c}/${f}`, root))
const text = (c: string, f: string) => readFileSync(new URL(`${c}/${f}`, root), 'utf8')
const json = (c: string, f: string) => JSON.parse(text(c, f))
const withFiles = (...files: string[]) => cases.filter((c) => files.every((f) => has(c, f)))
const requestedModel = (c: string): string =>
  has(c, 'in.anthropic.json') ? json(c, 'in.anthropic.json').model : json(c, 'case.json').requestedModel

function encodeStream(c: string): string {
  const chunks: ChatChunk[] = json(c, 'canonical.chunks.json')
  const encoder = anthropicCodec.streamEncoder(requestedModel(c), { model: requestedModel(c), messages: [] })
  return chunks.map((ch) => encoder.chunk(ch)).join('') + encoder.end()
}

/** What the official SDK makes of an SSE body, as a client of the gateway would see it. */
async function sdkFinalMessage(sse: string): Promise<Anthropic.Message> {
  const client = new Anthropic({
    apiKey: 'k',
    maxRetries: 0,
    fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
  })
  return client.messages
    .stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
    .finalMessage()
}

describe('anthropic inbound conformance', () => {
  it('finds the fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(5))

  it.each(withFiles('in.anthropic.json', 'canonical.json'))('%s: request', (c) => {
    expect(anthropicCodec.decodeRequest(json(c, 'in.anthropic.json'))).toEqual(json(c, 'canonical.json'))
  })

  it.each(withFiles('canonical.response.json', 'out.anthropic.json'))('%s: reply', (c) => {
    expect(anthropicCodec.encodeResponse(json(c, 'canonical.response.json'), requestedModel(c))).toEqual(
      json(c, 'out.anthropic.json'),
    )
  })

  it.each(withFiles('canonical.chunks.json', 'out.anthropic.sse'))('%s: stream', (c) => {
    expect(encodeStream(c)).toBe(text(c, 'out.anthropic.sse'))
  })

  it.each(withFiles('canonical.chunks.json', 'out.anthropic.sse'))(
    '%s: stream accepted by the Anthropic SDK',
    async (c) => {
      const msg = await sdkFinalMessage(encodeStream(c))
      const deltaLine = text(c, 'out.anthropic.sse')
        .split('\n')
        .find((l) => l.startsWith('data: {"type":"message_delta"'))
      const last = JSON.parse(deltaLine!.slice('data: '.length))
      expect(msg.stop_reason).toBe(last.delta.stop_reason)
      expect(msg.usage.output_tokens).toBe(last.usage.output_tokens)
      // The model that answered, as its upstream named it, not the name the client asked for.
      expect(msg.model).toBe(json(c, 'canonical.chunks.json')[0].model)
    },
  )
})

describe('SDK view of a streamed tool call', () => {
  it('accumulates parallel tool inputs and thinking signatures', async () => {
    const tools = await sdkFinalMessage(encodeStream('inbound-stream-tools'))
    expect(tools.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use', 'tool_use'])
    expect(tools.content.filter((b) => b.type === 'tool_use').map((b) => b.input)).toEqual([
      { city: 'Paris' },
      { city: 'Rome' },
    ])
    const thinking = await sdkFinalMessage(encodeStream('inbound-stream-thinking'))
    expect(thinking.content[0]).toEqual({ type: 'thinking', thinking: 'Hmm.', signature: 'sig-Z' })
    expect(thinking.content[1]).toEqual({ type: 'redacted_thinking', data: 'opaque==' })
    expect(thinking.stop_sequence).toBe('4')
  })
})
