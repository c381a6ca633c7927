import { connect, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'

// Bounded connections (issue 16, point 7): the server has request and idle timeouts, and off loopback one
// client address cannot hold more than `server.maxConnectionsPerIp` sockets.

const open: FastifyInstance[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(open.splice(0).map((a) => a.close()))
})

const start = (yaml: string) => {
  const app = buildGateway(parseConfig(`discovery: { enabled: false }\n${yaml}`, 'yaml', {}), { webRoot: false })
  open.push(app)
  return app
}

/** Opens a socket and resolves once it is either still open after a moment (kept) or closed by the server. */
function probe(port: number): Promise<'kept' | 'closed'> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    sockets.push(s)
    let timer: NodeJS.Timeout | undefined
    s.once('connect', () => {
      timer = setTimeout(() => resolve('kept'), 150)
    })
    s.once('close', () => {
      clearTimeout(timer)
      resolve('closed')
    })
    s.on('error', () => {})
  })
}

describe('connection limits', () => {
  it('sets request and idle timeouts (never 0, the unbounded default)', () => {
    const app = start('')
    expect(app.server.requestTimeout).toBeGreaterThan(0)
    expect(app.server.requestTimeout).toBeLessThanOrEqual(300_000)
    expect(app.server.timeout).toBeGreaterThan(0)
  })

  it('caps open connections per client address off loopback', async () => {
    const app = start('server: { maxConnectionsPerIp: 3 }\nkeys: [{ name: ci, key: sk-ci-0123456789 }]\n')
    await app.listen({ host: '0.0.0.0', port: 0 })
    const { port } = app.server.address() as { port: number }
    const kept = [await probe(port), await probe(port), await probe(port)]
    expect(kept).toEqual(['kept', 'kept', 'kept'])
    expect(await probe(port)).toBe('closed')
    // A connection that closes frees its place.
    sockets[0].destroy()
    await new Promise((r) => setTimeout(r, 50))
    expect(await probe(port)).toBe('kept')
  })

  it('does not cap loopback, where every local process is trusted with the port anyway', async () => {
    const app = start('server: { maxConnectionsPerIp: 1 }\n')
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as { port: number }
    expect([await probe(port), await probe(port), await probe(port)]).toEqual(['kept', 'kept', 'kept'])
  })
})
