import { describe, expect, it } from 'vitest'
import { createMemorySink, type LogEvent } from '../core/log-event.js'
import { createGatewayMetrics } from './metrics.js'

const event = (over: Partial<LogEvent>): LogEvent => ({
  requestId: 'r',
  startedAt: 0,
  inboundApi: 'openai',
  requestedModel: 'm',
  provider: 'openai',
  model: 'gpt-4o',
  status: 200,
  latencyMs: 300,
  stream: true,
  attempts: 1,
  ...over,
})

describe('metrics', () => {
  it('counts events passing through the wrapped sink and renders Prometheus text', () => {
    const metrics = createGatewayMetrics()
    const inner = createMemorySink()
    const sink = metrics.wrap(inner)
    sink.push(event({ inputTokens: 10, outputTokens: 5, ttftMs: 80 }))
    sink.push(event({ inputTokens: 7, latencyMs: 2000 }))
    sink.push(event({ status: 429, model: 'we"ird\nname' }))
    sink.push(event({ model: 'slow', latencyMs: 200_000 }))
    metrics.addCost(event({}), 0.25)
    metrics.addCost(event({}), 0.5)
    expect(inner.events).toHaveLength(4)

    const text = metrics.render({ written: 9, pending: 2, retries: 1, dropped: 3, bodiesDropped: 4, failing: true })
    expect(text).toContain('switchyard_requests_total{provider="openai",model="gpt-4o",status="200"} 2\n')
    expect(text).toContain(
      'switchyard_request_errors_total{provider="openai",model="we\\"ird\\nname",status="429"} 1\n',
    )
    expect(text).toContain('switchyard_tokens_total{provider="openai",model="gpt-4o",type="input"} 17\n')
    expect(text).toContain('switchyard_cost_usd_total{provider="openai",model="gpt-4o"} 0.75\n')
    expect(text).toContain('switchyard_request_duration_seconds_bucket{provider="openai",model="gpt-4o",le="0.5"} 1\n')
    expect(text).toContain('switchyard_request_duration_seconds_bucket{provider="openai",model="gpt-4o",le="2.5"} 2\n')
    expect(text).toContain('switchyard_request_duration_seconds_bucket{provider="openai",model="gpt-4o",le="+Inf"} 2\n')
    expect(text).toContain('switchyard_request_duration_seconds_sum{provider="openai",model="gpt-4o"} 2.3\n')
    // Slower than the last bucket: counted only in +Inf.
    expect(text).toContain('switchyard_request_duration_seconds_bucket{provider="openai",model="slow",le="120"} 0\n')
    expect(text).toContain('switchyard_request_duration_seconds_bucket{provider="openai",model="slow",le="+Inf"} 1\n')
    expect(text).toContain('switchyard_time_to_first_token_seconds_count{provider="openai",model="gpt-4o"} 1\n')
    expect(text).toContain('switchyard_log_queue_depth 2\n')
    expect(text).toContain('switchyard_log_rows_written_total 9\n')
    expect(text).toContain('switchyard_log_flush_retries_total 1\n')
    expect(text).toContain('switchyard_log_rows_dropped_total 3\n')
    expect(text).toContain('switchyard_log_bodies_dropped_total 4\n')
    expect(text).toContain('switchyard_log_writes_failing 1\n')
    // Every sample line is `name{labels} value`.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{.*\})? [0-9.e+-]+$/)
    }
  })

  it('folds models the gateway does not know into one other series per provider', () => {
    const metrics = createGatewayMetrics()
    metrics.keepSeriesFor((_provider, model) => model === 'gpt-4o')
    const sink = metrics.wrap(createMemorySink())
    for (let i = 0; i < 1000; i++) sink.push(event({ model: `made-up-${i}` }))
    sink.push(event({}))
    sink.push(event({ provider: undefined, model: undefined, status: 404 }))
    metrics.addCost(event({ model: 'made-up-1' }), 0.5)
    const text = metrics.render()
    expect(text).toContain('switchyard_requests_total{provider="openai",model="other",status="200"} 1000\n')
    expect(text).toContain('switchyard_requests_total{provider="openai",model="gpt-4o",status="200"} 1\n')
    expect(text).toContain('switchyard_requests_total{provider="",model="",status="404"} 1\n')
    expect(text).toContain('switchyard_cost_usd_total{provider="openai",model="other"} 0.5\n')
    expect(text).not.toContain('made-up')
  })

  it('counts MCP tool calls in their own families, never as model requests, with bounded server and tool labels', () => {
    const metrics = createGatewayMetrics()
    const servers: Record<string, string[]> = { everything: ['echo', 'add'], 'we"ird': ['t'] }
    metrics.keepMcpSeriesFor({
      server: (s) => Object.hasOwn(servers, s),
      tool: (s, t) => servers[s]?.includes(t) ?? false,
    })
    const sink = metrics.wrap(createMemorySink())
    const mcp = (over: Partial<LogEvent>) =>
      event({ inboundApi: 'mcp', stream: false, provider: 'everything', model: 'echo', latencyMs: 5, ...over })
    sink.push(mcp({}))
    sink.push(mcp({}))
    sink.push(mcp({ model: 'add', error: 'boom' }))
    sink.push(mcp({ status: 403, error: 'not allowed' }))
    sink.push(mcp({ provider: 'we"ird', model: 't', status: 504, error: 'timeout' }))
    // Names a client made up (an unknown tool, an unknown server) must not each get a series.
    for (let i = 0; i < 1000; i++) sink.push(mcp({ model: `made-up-${i}`, status: 404, error: 'unknown tool' }))
    for (let i = 0; i < 1000; i++)
      sink.push(mcp({ provider: `nope-${i}`, model: 'x', status: 404, error: 'unknown server' }))
    metrics.addCost(mcp({}), 1)
    const text = metrics.render()
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="everything",tool="echo",status="200"} 2\n')
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="everything",tool="add",status="200"} 1\n')
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="everything",tool="echo",status="403"} 1\n')
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="we\\"ird",tool="t",status="504"} 1\n')
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="everything",tool="other",status="404"} 1000\n')
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="other",tool="other",status="404"} 1000\n')
    expect(text).toContain('switchyard_mcp_tool_call_errors_total{server="everything"} 1002\n')
    expect(text).toContain('switchyard_mcp_tool_call_errors_total{server="other"} 1000\n')
    expect(text).not.toContain('made-up')
    expect(text).not.toContain('nope-')
    // None of it is a model request, a token, a cost or a model latency.
    expect(text).not.toContain('switchyard_requests_total{')
    expect(text).not.toContain('switchyard_cost_usd_total{')
    expect(text).not.toContain('switchyard_request_duration_seconds_count{')
  })

  it('keeps at most 500 server/tool series however many tools servers list', () => {
    const metrics = createGatewayMetrics()
    metrics.keepMcpSeriesFor({ server: () => true, tool: () => true })
    const sink = metrics.wrap(createMemorySink())
    for (let i = 0; i < 2000; i++) sink.push(event({ inboundApi: 'mcp', provider: 'big', model: `tool-${i}` }))
    const text = metrics.render()
    const series = text.split('\n').filter((l) => l.startsWith('switchyard_mcp_tool_calls_total{'))
    expect(series).toHaveLength(501)
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="big",tool="other",status="200"} 1500\n')
  })
})
