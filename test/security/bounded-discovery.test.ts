import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { startScriptedUpstream } from '../helpers/upstreams.js'

// Discovery probes whatever listens on the usual local-server ports. Whatever that is may answer without
// end; a probe reads at most a megabyte of it and drops the connection.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let hostile: Scripted
let gw: TestGateway
let sent = 0
let closed = false

const CHUNK = Buffer.alloc(64 * 1024, 'a')

function endless(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.write('{"data":"')
  res.on('close', () => {
    closed = true
  })
  const pump = () => {
    while (!res.destroyed && sent < 1024 ** 3) {
      sent += CHUNK.length
      if (!res.write(CHUNK)) return res.once('drain', pump)
    }
  }
  pump()
}

beforeAll(async () => {
  hostile = await startScriptedUpstream({ 'GET /v1/models': (_req, res) => endless(res) })
  const port = new URL(hostile.url).port
  gw = await startGateway(`
discovery:
  enabled: false
  ports: { ollama: 9, llamacpp: ${port}, lmstudio: 9, jan: 9, vllm: 9 }
`)
})

afterAll(async () => {
  await gw?.close()
  await hostile?.stop()
})

describe('discovery probes are bounded', () => {
  it('an endless answer on a probed port is cut off after a megabyte', async () => {
    const res = await fetch(`${gw.url}/admin/v1/providers/discover`, {
      method: 'POST',
      headers: gw.adminHeaders,
    })
    expect(res.status).toBe(200)
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10))
    expect(closed).toBe(true)
    // A megabyte read, plus what the socket buffers on both sides held at that moment.
    expect(sent).toBeLessThan(16 * 1024 ** 2)
  })
})
