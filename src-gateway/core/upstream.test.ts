import { once } from 'node:events'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { CallAbort } from './cancel.js'
import { CLOUD_TIMEOUTS, Upstreams } from './upstream.js'

// The upstream body is read straight from undici's dispatch (no Readable): these are the guarantees a
// Readable gave for free, checked against a real socket.

const MB = 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 'a')

let server: Server | undefined
let upstreams: Upstreams | undefined

afterEach(async () => {
  await upstreams?.close()
  server?.closeAllConnections()
  server?.close()
  server = undefined
  upstreams = undefined
})

async function start(handler: (res: ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => handler(res))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const post = { method: 'POST' as const, path: '/', headers: { 'content-type': 'application/json' }, body: '{}' }

describe('Upstreams.send', () => {
  it('pauses the upstream while its body waits unread: a slow reader does not buffer the whole answer', async () => {
    let written = 0
    let closed = false
    const url = await start((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.on('close', () => {
        closed = true
      })
      // Writes as fast as the socket takes it, for up to 64 MB.
      const pump = () => {
        while (written < 64 * MB && !closed) {
          written += CHUNK.length
          if (!res.write(CHUNK)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    })
    upstreams = new Upstreams()
    const res = await upstreams.send('slow', url, post, CLOUD_TIMEOUTS, new CallAbort())
    // Nobody reads for a while: the upstream must stall on a full socket, not fill the gateway's memory.
    await new Promise((r) => setTimeout(r, 300))
    expect(written).toBeLessThan(16 * MB)
    let read = 0
    for await (const chunk of res.body) {
      read += chunk.length
      if (read >= 2 * MB) break
    }
    res.done()
    expect(read).toBeGreaterThanOrEqual(2 * MB)
  })

  it('drops the connection when the reader leaves before the end, so the upstream stops sending', async () => {
    let closed: Promise<unknown> | undefined
    const url = await start((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      closed = once(res, 'close')
      res.write('data: {"first":true}\n\n')
    })
    upstreams = new Upstreams()
    const res = await upstreams.send('leaving', url, post, CLOUD_TIMEOUTS, new CallAbort())
    for await (const chunk of res.body) {
      expect(chunk.toString()).toContain('first')
      break
    }
    res.done()
    await closed
    expect(server?.listening).toBe(true)
  })

  it('fails a read with the reason the call was cancelled for, once its headers came', async () => {
    const url = await start((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"first":true}\n\n')
    })
    upstreams = new Upstreams()
    const signal = new CallAbort()
    const res = await upstreams.send('cancelled', url, post, CLOUD_TIMEOUTS, signal)
    const it = res.body[Symbol.asyncIterator]()
    expect((await it.next()).value?.toString()).toContain('first')
    const reading = it.next()
    signal.abort(new Error('caller left'))
    await expect(reading).rejects.toThrow('caller left')
    res.done()
  })

  it('hands over every chunk and then the end, with the headers as undici parses them', async () => {
    const url = await start((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-twice': ['a', 'b'] })
      res.write('data: 1\n\n')
      setTimeout(() => res.end('data: 2\n\n'), 20)
    })
    upstreams = new Upstreams()
    const res = await upstreams.send('whole', url, post, CLOUD_TIMEOUTS, new CallAbort())
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/event-stream')
    expect(res.headers['x-twice']).toEqual(['a', 'b'])
    let text = ''
    for await (const chunk of res.body) text += chunk.toString()
    res.done()
    expect(text).toBe('data: 1\n\ndata: 2\n\n')
  })
})
