import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

// A small OTLP/HTTP receiver for tests of the OpenTelemetry export, and readers of what it received.

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  text: string
  body: OtlpBody
}
type AnyValue = {
  stringValue?: string
  intValue?: number | string
  doubleValue?: number
  boolValue?: boolean
  arrayValue?: { values: AnyValue[] }
}
type KeyValue = { key: string; value: AnyValue }
export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: KeyValue[]
  status?: { code?: number; message?: string }
  events?: { name: string; attributes: KeyValue[] }[]
}
interface OtlpBody {
  resourceSpans?: { resource: { attributes: KeyValue[] }; scopeSpans: { spans: OtlpSpan[] }[] }[]
  resourceMetrics?: {
    scopeMetrics: {
      metrics: {
        name: string
        histogram?: { dataPoints: { explicitBounds: number[]; count: string | number }[] }
        sum?: { dataPoints: { asDouble?: number; asInt?: string | number }[] }
      }[]
    }[]
  }[]
}

/** The OTLP/HTTP receiver: takes POST /v1/traces and /v1/metrics as the JSON exporters send them. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = []
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    received.push({ path: req.url ?? '', headers: req.headers, text, body: JSON.parse(text) })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

const anyValue = (v: AnyValue): unknown =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
  v.doubleValue ??
  v.boolValue ??
  v.arrayValue?.values.map(anyValue)
export const attrs = (kvs: KeyValue[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, anyValue(kv.value)]))
export const spansOf = (received: Received[]) =>
  received
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => r.body.resourceSpans ?? [])
    .flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans))
export const metricsOf = (received: Received[]) =>
  received
    .filter((r) => r.path === '/v1/metrics')
    .flatMap((r) => r.body.resourceMetrics ?? [])
    .flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics))
