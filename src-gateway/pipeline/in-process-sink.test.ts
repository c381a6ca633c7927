import { describe, expect, it } from 'vitest'
import { GatewayError } from '../core/errors.js'
import { type AnswerReader, InProcessSink } from './in-process-sink.js'

function recorder() {
  const seen: string[] = []
  const reader: AnswerReader = {
    json: (text) => seen.push(`json ${text}`),
    chunk: (data) => seen.push(`chunk ${String(data)}`),
    error: (err) => seen.push(`error ${err.message}`),
  }
  return { seen, sink: new InProcessSink(reader, () => undefined) }
}

describe('InProcessSink', () => {
  it('keeps headers and hands over a complete answer', () => {
    const { seen, sink } = recorder()
    sink.header('x-switchyard-model', 'm')
    sink.json('{"ok":true}')
    sink.error(new GatewayError('upstream', 'too late'))
    expect(sink.headers.get('x-switchyard-model')).toBe('m')
    expect(seen).toEqual(['json {"ok":true}'])
  })

  it('passes a stream on in order, corked writes included, and ignores errors once it started', () => {
    const { seen, sink } = recorder()
    const out = sink.stream()
    out.write('data: a\n\n')
    out.cork()
    out.write(Buffer.from('data: b\n\n'))
    out.write('data: c\n\n')
    out.end()
    sink.error(new GatewayError('upstream', 'after the stream started'))
    expect(seen).toEqual(['chunk data: a\n\n', 'chunk data: b\n\n', 'chunk data: c\n\n'])
  })

  it('reports an error sent before any answer, and closing it ends the stream as a hang-up does', () => {
    const failed = recorder()
    failed.sink.error(new GatewayError('not_found', 'no such model'))
    expect(failed.seen).toEqual(['error no such model'])

    const { sink } = recorder()
    const out = sink.stream()
    sink.close()
    expect(out.destroyed).toBe(true)
  })

  it('reports a write after the end instead of throwing it at the process', async () => {
    const faults: string[] = []
    const sink = new InProcessSink({ json() {}, chunk() {}, error() {} }, (_err, message) => faults.push(message))
    const out = sink.stream()
    out.end('data: last\n\n')
    out.write('data: late\n\n')
    await new Promise((r) => setImmediate(r))
    expect(faults).toEqual(['in-process answer stream failed'])
  })
})
