import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { McpPreview } from '../../src-shared/contract/mcp-preview.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

// The Connect page's "Test connection": GET /admin/v1/mcp/preview?key=NAME lists what /mcp offers that key,
// by the endpoint's own rules (server-everything over stdio behind the hub).

const EVERYTHING = join(import.meta.dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js')
const KEY_VALUE = 'sk-preview-one-0123456789abcdef'

let gw: TestGateway

beforeAll(async () => {
  const config = {
    keys: [
      { name: 'one', key: '${env:ONE_KEY}', mcp: { tools: ['everything__echo', 'everything__get-sum'] } },
      { name: 'models-only', key: 'sk-preview-models-0123456789abcdef' },
    ],
    mcp: { servers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], confirm: ['get-sum'] } } },
  }
  gw = await startGateway(JSON.stringify(config), { ONE_KEY: KEY_VALUE })
})

afterAll(async () => {
  await gw?.close()
})

async function preview(query: string): Promise<{ status: number; body: McpPreview & { error?: unknown } }> {
  const res = await gw.admin(`/admin/v1/mcp/preview${query}`)
  return { status: res.status, body: await res.json() }
}

describe('GET /admin/v1/mcp/preview', { timeout: 60_000 }, () => {
  it("lists the tools a key may see, marks the ones it may not call, and names no key's value", async () => {
    // The hub starts server-everything in the background.
    const deadline = Date.now() + 30_000
    let one = await preview('?key=one')
    while (one.body.notReady.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200))
      one = await preview('?key=one')
    }
    expect(one.status).toBe(200)
    expect(one.body.who).toBe("key 'one'")
    expect(one.body.tools.map((t) => [t.name, t.server, t.callable])).toEqual([
      ['everything__echo', 'everything', true],
      ['everything__get-sum', 'everything', false],
    ])
    expect(JSON.stringify(one.body)).not.toContain(KEY_VALUE)

    // A key without an `mcp` block reaches nothing; without a key (open mode) everything is listed.
    expect((await preview('?key=models-only')).body.tools).toEqual([])
    const open = await preview('')
    expect(open.body.tools.length).toBeGreaterThan(5)
    expect(open.body.tools.find((t) => t.name === 'everything__get-sum')?.callable).toBe(false)
  })

  it('answers 404 for a key that is not configured, and 401 without the admin token', async () => {
    const unknown = await preview('?key=nobody')
    expect(unknown.status).toBe(404)
    const anonymous = await fetch(`${gw.url}/admin/v1/mcp/preview?key=one`)
    expect(anonymous.status).toBe(401)
  })
})
