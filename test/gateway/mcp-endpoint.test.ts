import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type SecondServer, SHARED_URI, startSecondServer } from '../helpers/mcp-second-server.js'

const EVERYTHING = join(import.meta.dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js')
const SECOND_TOKEN = 'second-upstream-token-7f3a9c1e5b'
const KEYS = {
  full: 'sk-mcp-full-0123456789abcdef',
  one: 'sk-mcp-one-0123456789abcdef',
  plain: 'sk-mcp-plain-0123456789abcdef',
  models: 'sk-mcp-models-0123456789abcdef',
}
const FORBIDDEN = -32003

let gw: TestGateway
let second: SecondServer
const clients: Client[] = []
/** Everything any /mcp answer carried, to look for secrets in at the end. */
const seen: string[] = []

async function connect(key: string | undefined): Promise<Client> {
  const client = new Client({ name: 'mcp-endpoint-test', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
    requestInit: { headers: key ? { authorization: `Bearer ${key}` } : {} },
  })
  await client.connect(transport)
  clients.push(client)
  return client
}

/** The hub starts its servers in the background: wait until both offer their tools. */
async function toolNames(client: Client, wanted: string[] = []): Promise<string[]> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const { tools } = await client.listTools()
    seen.push(JSON.stringify(tools))
    const names = tools.map((t) => t.name)
    if (wanted.every((w) => names.includes(w)) || Date.now() > deadline) return names
    await new Promise((r) => setTimeout(r, 200))
  }
}

const textOf = (result: unknown) => {
  seen.push(JSON.stringify(result))
  const content = (result as { content: { type: string; text?: string }[] }).content
  return content.map((c) => c.text ?? '').join('')
}

async function refusal(p: Promise<unknown>): Promise<McpError> {
  try {
    await p
  } catch (err) {
    if (err instanceof McpError) {
      seen.push(err.message)
      return err
    }
    throw err
  }
  throw new Error('expected a JSON-RPC error')
}

const INIT = (protocolVersion: string) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
})

/** One POST to /mcp without the SDK: its status, session id and the JSON-RPC messages (JSON or SSE). */
async function rawPost(body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${gw.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  seen.push(text)
  const messages = res.headers.get('content-type')?.includes('text/event-stream')
    ? text
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)))
    : text
      ? [JSON.parse(text)]
      : []
  return {
    status: res.status,
    session: res.headers.get('mcp-session-id'),
    exposed: res.headers.get('access-control-expose-headers'),
    messages,
  }
}

beforeAll(async () => {
  second = await startSecondServer(SECOND_TOKEN)
  const config = {
    keys: [
      {
        name: 'full',
        key: '${env:FULL_KEY}',
        mcp: { tools: ['*'], prompts: ['*'], resources: ['*'], confirmed: true },
        redaction: { mode: 'reversible' },
      },
      { name: 'one', key: '${env:ONE_KEY}', mcp: { tools: ['everything__echo'] } },
      { name: 'plain', key: '${env:PLAIN_KEY}', mcp: { tools: ['second__*'] } },
      { name: 'models', key: '${env:MODELS_KEY}' },
    ],
    mcp: {
      servers: {
        everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
        second: {
          url: second.url,
          transport: 'streamable-http',
          headers: { Authorization: 'Bearer ${env:SECOND_TOKEN}' },
          confirm: ['write_*'],
        },
      },
    },
  }
  gw = await startGateway(JSON.stringify(config), {
    FULL_KEY: KEYS.full,
    ONE_KEY: KEYS.one,
    PLAIN_KEY: KEYS.plain,
    MODELS_KEY: KEYS.models,
    SECOND_TOKEN,
  })
})

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()))
  await gw?.close()
  await second?.close()
})

describe('/mcp aggregates the hub', () => {
  it('lists both servers under namespaced names, and routes same-named tools to their own server', async () => {
    const client = await connect(KEYS.full)
    const names = await toolNames(client, ['everything__echo', 'second__echo'])
    expect(names).toEqual(expect.arrayContaining(['everything__echo', 'second__echo', 'everything__get-sum']))
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } }))).toBe('Echo: hi')
    expect(textOf(await client.callTool({ name: 'second__echo', arguments: { message: 'hi' } }))).toBe('second: hi')
    const unknown = await refusal(client.callTool({ name: 'nobody__echo', arguments: {} }))
    expect(unknown.code).toBe(-32602)
  })

  it('forwards progress notifications of a long-running tool', async () => {
    const client = await connect(KEYS.full)
    await toolNames(client, ['everything__trigger-long-running-operation'])
    const progress: number[] = []
    const result = await client.callTool(
      { name: 'everything__trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    )
    expect(textOf(result)).toContain('Steps: 3')
    // The last step's notification and the result leave the server together, and the SDK's client handles
    // notifications a microtask after responses: once the call has ended, its progress handler is gone.
    expect(progress.slice(0, 2)).toEqual([1, 2])
  })

  it('forwards cancellation: the upstream tool sees its call cancelled, and the log row says 499', async () => {
    const client = await connect(KEYS.full)
    await toolNames(client, ['second__slow'])
    const abort = new AbortController()
    const call = client.callTool({ name: 'second__slow', arguments: {} }, undefined, { signal: abort.signal })
    await second.slowStarted
    abort.abort()
    await expect(call).rejects.toThrow()
    const deadline = Date.now() + 10_000
    while (!second.cancelled && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(second.cancelled).toBe(true)
    while (!gw.events.some((e) => e.requestedModel === 'second__slow') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(gw.events.find((e) => e.requestedModel === 'second__slow')).toMatchObject({
      inboundApi: 'mcp',
      status: 499,
      keyName: 'full',
    })
  })

  it('announces tools/list_changed when an upstream adds a tool', async () => {
    const client = await connect(KEYS.full)
    await toolNames(client, ['second__add_tool'])
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    )
    await client.callTool({ name: 'second__add_tool', arguments: {} })
    await changed
    expect(await toolNames(client, ['second__late'])).toContain('second__late')
    expect(textOf(await client.callTool({ name: 'second__late', arguments: {} }))).toBe('late tool ran')
  })

  it('aggregates prompts and resources; a URI both servers list is read from the first in name order', async () => {
    const client = await connect(KEYS.full)
    await toolNames(client, ['everything__echo', 'second__echo'])
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name)
    expect(prompts).toEqual(expect.arrayContaining(['everything__simple-prompt', 'second__greet']))
    const greet = await client.getPrompt({ name: 'second__greet' })
    expect(JSON.stringify(greet)).toContain('hello from second')
    const { resources } = await client.listResources()
    expect(resources.filter((r) => r.uri === SHARED_URI)).toHaveLength(1)
    const shared = await client.readResource({ uri: SHARED_URI })
    expect(JSON.stringify(shared)).not.toContain('from second')
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)
    expect(templates).toContain('demo://resource/dynamic/text/{resourceId}')
    const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/3' })
    expect(dynamic.contents[0].uri).toBe('demo://resource/dynamic/text/3')
    seen.push(JSON.stringify([prompts, greet, resources, shared, dynamic]))
  })

  it('sends a tool its arguments redacted and gives the caller the originals back (reversible redaction)', async () => {
    const client = await connect(KEYS.full)
    await toolNames(client, ['second__echo'])
    const result = await client.callTool({ name: 'second__echo', arguments: { message: 'mail alice@example.com' } })
    expect(textOf(result)).toBe('second: mail alice@example.com')
    expect(second.echoed.at(-1)).toEqual({ message: 'mail [EMAIL_1]' })
    const row = gw.events.findLast((e) => e.requestedModel === 'second__echo')
    expect(JSON.stringify(row)).not.toContain('alice@example.com')
  })

  it('answers a client of the previous protocol revision (2025-03-26)', async () => {
    const init = await rawPost(INIT('2025-03-26'), { authorization: `Bearer ${KEYS.full}` })
    expect(init.status).toBe(200)
    expect(init.messages[0].result.protocolVersion).toBe('2025-03-26')
    const headers = {
      authorization: `Bearer ${KEYS.full}`,
      'mcp-session-id': init.session!,
      'mcp-protocol-version': '2025-03-26',
    }
    expect((await rawPost({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202)
    const list = await rawPost({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers)
    expect(list.messages[0].result.tools.map((t: { name: string }) => t.name)).toContain('everything__echo')
  })
})

describe('/mcp permissions per key', () => {
  it('a key allowed one tool sees and calls only that one', async () => {
    const full = await connect(KEYS.full)
    await toolNames(full, ['everything__echo', 'second__echo'])
    const client = await connect(KEYS.one)
    expect(await toolNames(client)).toEqual(['everything__echo'])
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'x' } }))).toBe('Echo: x')
    for (const name of ['everything__get-sum', 'second__echo']) {
      const err = await refusal(client.callTool({ name, arguments: { a: 1, b: 2, message: 'x' } }))
      expect(err.code).toBe(FORBIDDEN)
      expect(err.message).toContain(`key 'one' may not call tool '${name}'`)
    }
    expect((await client.listPrompts()).prompts).toEqual([])
    expect((await client.listResources()).resources).toEqual([])
    const row = gw.events.findLast((e) => e.requestedModel === 'second__echo' && e.keyName === 'one')
    expect(row).toMatchObject({ inboundApi: 'mcp', status: 403 })
  })

  it("a change of a key's mcp block reaches its open session: list_changed, then the new list", async () => {
    // Both servers up first: their coming up is announced too, and must not pass for this announcement.
    await toolNames(await connect(KEYS.full), ['everything__echo', 'second__echo'])
    const client = await connect(KEYS.one)
    expect(await toolNames(client)).toEqual(['everything__echo'])
    await new Promise((r) => setTimeout(r, 300))
    const changed = new Promise<string>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve('announced'))
      setTimeout(() => resolve('not announced within 5 s'), 5000)
    })
    const put = await gw.admin('/admin/v1/keys/one', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mcp: { tools: ['everything__echo', 'everything__get-sum'] } }),
    })
    expect(put.status).toBe(200)
    expect(await changed).toBe('announced')
    expect((await toolNames(client)).sort()).toEqual(['everything__echo', 'everything__get-sum'])
  })

  it('a key without an mcp block sees no tools and may call none', async () => {
    const client = await connect(KEYS.models)
    expect(await toolNames(client)).toEqual([])
    expect((await refusal(client.callTool({ name: 'everything__echo', arguments: { message: 'x' } }))).code).toBe(
      FORBIDDEN,
    )
  })

  it('a tool its server marks confirm is listed with the mark and refused unless the key has confirmed: true', async () => {
    const plain = await connect(KEYS.plain)
    await toolNames(plain, ['second__write_note'])
    const { tools } = await plain.listTools()
    const note = tools.find((t) => t.name === 'second__write_note')!
    expect(note._meta).toEqual({ 'dev.switchyard/needsConfirmation': true })
    expect(note.description).toMatch(/^\[needs confirmation\]/)
    expect(tools.find((t) => t.name === 'second__echo')?._meta).toBeUndefined()
    const err = await refusal(plain.callTool({ name: 'second__write_note', arguments: { note: 'n' } }))
    expect(err.code).toBe(FORBIDDEN)
    expect(err.message).toContain('needs confirmation')
    const full = await connect(KEYS.full)
    expect(textOf(await full.callTool({ name: 'second__write_note', arguments: { note: 'n' } }))).toBe('written')
  })
})

describe('/mcp edge: keys, Origin, Host, sessions', () => {
  it('refuses a caller without a key, or with a wrong one, with 401 when keys are configured', async () => {
    expect((await rawPost(INIT('2025-06-18'), {})).status).toBe(401)
    expect((await rawPost(INIT('2025-06-18'), { authorization: 'Bearer sk-wrong' })).status).toBe(401)
  })

  it('refuses a page from another site, on POST and on the GET notification stream; a local page may connect', async () => {
    const auth = { authorization: `Bearer ${KEYS.full}` }
    const evil = await rawPost(INIT('2025-06-18'), { ...auth, origin: 'https://evil.example' })
    expect(evil.status).toBe(403)
    const local = await rawPost(INIT('2025-06-18'), { ...auth, origin: 'http://localhost:5173' })
    expect(local.status).toBe(200)
    // A browser client can read its session id, or it could never send the next request.
    expect(local.exposed?.toLowerCase()).toContain('mcp-session-id')
    const get = await fetch(`${gw.url}/mcp`, {
      headers: {
        ...auth,
        accept: 'text/event-stream',
        'mcp-session-id': local.session!,
        origin: 'https://evil.example',
      },
    })
    await get.body?.cancel()
    expect(get.status).toBe(403)
  })

  it('refuses a request addressed to a foreign Host (DNS rebinding)', async () => {
    const port = new URL(gw.url).port
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: {
            host: `evil.example:${port}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            authorization: `Bearer ${KEYS.full}`,
          },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.end(JSON.stringify(INIT('2025-06-18')))
    })
    expect(status).toBe(403)
  })

  it("another key cannot use a key's session id", async () => {
    const init = await rawPost(INIT('2025-06-18'), { authorization: `Bearer ${KEYS.one}` })
    expect(init.status).toBe(200)
    const stolen = await rawPost(
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { authorization: `Bearer ${KEYS.full}`, 'mcp-session-id': init.session!, 'mcp-protocol-version': '2025-06-18' },
    )
    expect(stolen.status).toBe(404)
  })

  it('never answers or logs a secret: not the upstream token, not a key, not even when the upstream fails', async () => {
    const client = await connect(KEYS.full)
    await toolNames(client, ['second__echo'])
    await second.close()
    const err = await refusal(client.callTool({ name: 'second__echo', arguments: { message: 'after close' } }))
    expect(err.message.length).toBeGreaterThan(0)
    const everything = seen.join('\n') + JSON.stringify(gw.events)
    for (const secret of [SECOND_TOKEN, ...Object.values(KEYS)]) expect(everything).not.toContain(secret)
  })
})

describe('/mcp without keys (loopback, open mode)', () => {
  it('lists every tool, refuses confirm-marked ones (nobody confirmed), and its open stream does not hold the close', async () => {
    const own = await startGateway(
      JSON.stringify({
        mcp: {
          servers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], confirm: ['get-sum'] } },
        },
      }),
    )
    const client = new Client({ name: 'mcp-endpoint-test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${own.url}/mcp`)))
    const deadline = Date.now() + 30_000
    let tools = (await client.listTools()).tools
    while (tools.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200))
      tools = (await client.listTools()).tools
    }
    expect(tools.find((t) => t.name === 'everything__get-sum')?._meta).toEqual({
      'dev.switchyard/needsConfirmation': true,
    })
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'o' } }))).toBe('Echo: o')
    const err = await refusal(client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 2 } }))
    expect(err.code).toBe(FORBIDDEN)
    expect(err.message).toContain('a caller without a key')
    // The SDK client keeps its GET notification stream open: closing must not wait for it.
    const outcome = await Promise.race([
      own.close().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000)),
    ])
    await client.close()
    expect(outcome).toBe('closed')
  })
})
