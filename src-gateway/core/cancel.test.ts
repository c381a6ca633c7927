import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { describe, expect, it, vi } from 'vitest'
import { CallAbort } from './cancel.js'

describe('CallAbort', () => {
  it('runs each listener once, on the first abort, with an AbortError like AbortController', () => {
    const a = new CallAbort()
    const kept = vi.fn()
    const removed = vi.fn()
    a.addEventListener('abort', kept)
    a.addEventListener('abort', removed)
    a.removeEventListener('abort', removed)
    a.abort()
    a.abort(new Error('second'))
    expect(kept).toHaveBeenCalledTimes(1)
    expect(removed).not.toHaveBeenCalled()
    expect(a.aborted).toBe(true)
    expect(a.reason).toBeInstanceOf(DOMException)
    expect((a.reason as DOMException).name).toBe('AbortError')
  })

  it('cancels an undici request in flight with its reason', async () => {
    const server = createServer((_req, res) => res.writeHead(200).write('first'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const a = new CallAbort()
      const res = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { signal: a })
      const reading = res.body.text()
      a.abort(new Error('caller left'))
      await expect(reading).rejects.toThrow('caller left')
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
