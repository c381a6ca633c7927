import { describe, expect, it } from 'vitest'
import { createMemorySink, type LogSink } from '../core/log-event.js'
import { MAX_LOGGED_NAME_CHARS, type McpCallRecord, mcpLogEvent, recordMcpCall } from './call-log.js'

const rec = (over: Partial<McpCallRecord> = {}): McpCallRecord => ({
  requestId: 'req_1',
  startedAt: 1_000,
  server: 'everything',
  tool: 'echo',
  namespaced: 'everything__echo',
  status: 200,
  latencyMs: 12,
  method: 'tools/call',
  arguments: { message: 'hi' },
  result: { content: [{ type: 'text', text: 'Echo: hi' }] },
  ...over,
})

describe('recordMcpCall', () => {
  it('turns a tool call into a log row: server as provider, tool as model, the namespaced name as requested', () => {
    const sink = createMemorySink()
    recordMcpCall({ sink, captureBodies: true }, rec({ keyName: 'ci', clientTool: 'codex', sessionId: 's1' }))
    expect(sink.events).toEqual([
      {
        requestId: 'req_1',
        startedAt: 1_000,
        inboundApi: 'mcp',
        requestedModel: 'everything__echo',
        provider: 'everything',
        model: 'echo',
        keyName: 'ci',
        clientTool: 'codex',
        status: 200,
        error: undefined,
        latencyMs: 12,
        stream: false,
        attempts: 1,
        requestBody: {
          method: 'tools/call',
          params: { name: 'everything__echo', arguments: { message: 'hi' } },
          sessionId: 's1',
        },
        responseBody: { content: [{ type: 'text', text: 'Echo: hi' }] },
      },
    ])
  })

  it('keeps a resource read by its URI, a failure as its error, and no bodies when bodies are off', () => {
    const read = mcpLogEvent(rec({ method: 'resources/read', tool: 'demo://r/1', namespaced: 'demo://r/1' }), true)
    expect(read.requestBody).toEqual({ method: 'resources/read', params: { uri: 'demo://r/1' } })
    const failed = mcpLogEvent(rec({ status: 504, error: 'timed out', result: undefined }), true)
    expect(failed.responseBody).toEqual({ error: 'timed out' })
    const refused = mcpLogEvent(rec({ status: 403, error: 'no', result: undefined }), true)
    expect(refused.attempts).toBe(0)
    const bare = mcpLogEvent(rec(), false)
    expect(bare.requestBody).toBeUndefined()
    expect(bare.responseBody).toBeUndefined()
  })

  it('cuts a client-chosen name (an unknown tool) to a bounded length', () => {
    const huge = 'x'.repeat(100_000)
    const e = mcpLogEvent(rec({ server: '', tool: huge, namespaced: huge, status: 404, error: 'unknown tool' }), true)
    expect(e.model?.length).toBe(MAX_LOGGED_NAME_CHARS)
    expect(e.requestedModel.length).toBe(MAX_LOGGED_NAME_CHARS)
    expect(e.requestedModel.endsWith('…')).toBe(true)
  })

  it('never throws, even when the sink does', () => {
    const sink: LogSink = {
      push() {
        throw new Error('full')
      },
      close: async () => {},
    }
    expect(() => recordMcpCall({ sink, captureBodies: true }, rec())).not.toThrow()
  })
})
