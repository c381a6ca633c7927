import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type HttpUpstream,
  startSseOnlyUpstream,
  startStreamableUpstream,
} from '../../test/helpers/mcp-http-upstreams.js'
import type { McpServerConfig } from '../config/schema.js'
import { appRoot } from '../paths.js'
import { McpHub, McpHubError, type McpServerStatus } from './hub.js'

const EVERYTHING = join(appRoot, 'node_modules/.bin/mcp-server-everything')
const FIXTURE = join(appRoot, 'test/fixtures/mcp/stdio-server.mjs')
const fixture = (more: Partial<McpServerConfig> = {}): McpServerConfig => ({
  command: process.execPath,
  args: [FIXTURE],
  ...more,
})
const TOKEN = 'tok-3f9a1c77e2b54d08'

const hubs: McpHub[] = []
const upstreams: HttpUpstream[] = []
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()))
  await Promise.all(upstreams.splice(0).map((u) => u.close()))
})

function hubOf(servers: Record<string, McpServerConfig>, clock?: () => number): McpHub {
  const hub = new McpHub(servers, { resolve: (cfg) => cfg, clock })
  hubs.push(hub)
  return hub
}

async function until<T>(what: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = what()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

const ready = (hub: McpHub, name: string) =>
  until(() => {
    const s = hub.statusOf(name)
    return s?.state === 'ready' ? s : undefined
  })

const textOf = (r: { content?: unknown }) => (r.content as { text: string }[])[0].text

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('McpHub over stdio', () => {
  it('lists the tools, prompts and resources of server-everything, and a call reports progress', async () => {
    const hub = hubOf({ everything: { command: EVERYTHING, args: ['stdio'] } })
    const s = await ready(hub, 'everything')
    expect(s.transport).toBe('stdio')
    expect(s.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']),
    )
    expect(s.prompts.map((p) => p.name)).toEqual(expect.arrayContaining(['simple-prompt', 'args-prompt']))
    expect(s.resources.length).toBeGreaterThan(0)
    expect(s.resourceTemplates.map((t) => t.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}')
    expect(s.serverInfo?.name).toBeTruthy()
    expect(s.connectedAt).toBeTypeOf('number')

    const progress: { progress: number; total?: number }[] = []
    const r = await hub.callTool(
      'everything',
      'trigger-long-running-operation',
      { duration: 0.3, steps: 3 },
      { onProgress: (p) => progress.push(p) },
    )
    expect(textOf(r)).toContain('Long running operation completed')
    // The SDK hands notifications on a tick later than responses, so the last step's may land after the result.
    expect(progress.map((p) => p.progress).slice(0, 2)).toEqual([1, 2])
    expect(progress[0].total).toBe(3)

    const prompt = await hub.getPrompt('everything', 'args-prompt', { city: 'Lyon' })
    expect(JSON.stringify(prompt.messages)).toContain('Lyon')
    const res = await hub.readResource('everything', 'demo://resource/dynamic/text/1')
    expect(res.contents.length).toBe(1)
  })

  it('a cancelled call reaches the server, and the caller gets `cancelled`', async () => {
    const hub = hubOf({ fx: fixture() })
    await ready(hub, 'fx')
    const abort = new AbortController()
    const call = hub.callTool('fx', 'wait', {}, { signal: abort.signal, onProgress: () => abort.abort() })
    await expect(call).rejects.toMatchObject({ kind: 'cancelled' })
    await until(() => hub.statusOf('fx')?.stderrTail.some((l) => l.startsWith('cancelled request')))
  })

  it('a call silent for longer than its timeout fails with `timeout`', async () => {
    const hub = hubOf({ fx: fixture() })
    await ready(hub, 'fx')
    const started = Date.now()
    await expect(hub.callTool('fx', 'wait', {}, { timeoutMs: 300, onProgress: () => {} })).rejects.toMatchObject({
      kind: 'timeout',
    })
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('a server that exits is restarted with its tools, the restart counted and the exit recorded', async () => {
    const hub = hubOf({ fx: fixture() })
    await ready(hub, 'fx')
    const states: string[] = []
    hub.onChange((server, what) => {
      if (server === 'fx' && what === 'state') states.push(hub.statusOf('fx')!.state)
    })
    await hub.callTool('fx', 'crash', {})
    await until(() => hub.statusOf('fx')?.state === 'restarting')
    // While it is down, nothing of it is offered, and calls are refused as unavailable.
    expect(hub.statusOf('fx')!.tools).toEqual([])
    await expect(hub.callTool('fx', 'echo', { message: 'x' })).rejects.toMatchObject({ kind: 'unavailable' })
    const back = await ready(hub, 'fx')
    expect(back.restarts).toBe(1)
    expect(back.tools.map((t) => t.name)).toContain('echo')
    expect(back.errors.map((e) => e.message)).toContain('the server exited with code 3')
    expect(states).toEqual(['restarting', 'ready'])
    expect(textOf(await hub.callTool('fx', 'echo', { message: 'again' }))).toBe('again')
  })

  it('a server that keeps crashing backs off longer each time, and from 1 s again after a healthy minute', async () => {
    let now = 1_000_000
    const hub = hubOf({ fx: fixture() }, () => now)
    await ready(hub, 'fx')
    /** The backoff delay the hub chose after a crash. */
    const crashAndBack = async () => {
      await hub.callTool('fx', 'crash', {})
      const s = await until(() => {
        const st = hub.statusOf('fx')
        return st?.state === 'restarting' ? st : undefined
      })
      await ready(hub, 'fx')
      return (s.nextRetryAt ?? 0) - now
    }
    expect(await crashAndBack()).toBe(1000)
    // Up again, but not for a minute: the next delay doubles.
    expect(await crashAndBack()).toBe(2000)
    now += 61_000
    expect(await crashAndBack()).toBe(1000)
    expect(hub.statusOf('fx')).toMatchObject({ restarts: 3, nextRetryAt: undefined })
  })

  it('a server dying while it is listed is retried once per failure', async () => {
    const now = 1_000_000
    const hub = hubOf({ fx: fixture({ env: { CRASH_ON_LIST: '1' } }) }, () => now)
    const delays: number[] = []
    await until(() => {
      const at = hub.statusOf('fx')?.nextRetryAt
      if (at !== undefined && delays.at(-1) !== at - now) delays.push(at - now)
      return delays.length >= 2
    }, 10_000)
    // One retry per failure: the exit and the failed list are one failure, not two.
    expect(delays.slice(0, 2)).toEqual([1000, 2000])
    expect(hub.statusOf('fx')?.restarts).toBe(1)
  })

  it("closing ends the server's whole process group, grandchildren included", async () => {
    const hub = hubOf({ fx: fixture() })
    await ready(hub, 'fx')
    const pid = Number(textOf(await hub.callTool('fx', 'grandchild', {})))
    expect(pidAlive(pid)).toBe(true)
    await hub.close()
    await until(() => !pidAlive(pid), 5000)
  })

  it("re-lists tools on the server's list_changed and tells listeners", async () => {
    const hub = hubOf({ fx: fixture() })
    await ready(hub, 'fx')
    const told: string[] = []
    hub.onChange((server, what) => told.push(`${server}:${what}`))
    await hub.callTool('fx', 'add_tool', {})
    await until(() => hub.statusOf('fx')?.tools.some((t) => t.name === 'late'))
    expect(told).toContain('fx:tools')
  })

  it("marks the tools the server's `confirm` globs match", async () => {
    const hub = hubOf({ fx: fixture({ confirm: ['write_*', 'cr*h'] }) })
    const s = await ready(hub, 'fx')
    const needs = Object.fromEntries(s.tools.map((t) => [t.name, t.needsConfirmation]))
    expect(needs).toMatchObject({ write_file: true, crash: true, echo: false, wait: false })
  })

  it('keeps secrets out of errors, the stderr tail and status', async () => {
    const hub = hubOf({ fx: fixture({ env: { SECRET_TOKEN: TOKEN } }) })
    await ready(hub, 'fx')
    const err = await hub.callTool('fx', 'leak', {}).catch((e: unknown) => e)
    // The server's JSON-RPC error comes back as a tool result with isError, or as a thrown upstream error.
    const shown = err instanceof McpHubError ? err.message : JSON.stringify(err)
    expect(shown).not.toContain(TOKEN)
    const s = await until(() => {
      const st = hub.statusOf('fx')
      return st?.stderrTail.some((l) => l.startsWith('token is')) ? st : undefined
    })
    expect(s.stderrTail).toContain('token is [secret]')
    expect(JSON.stringify(hub.status())).not.toContain(TOKEN)
  })

  it('a server declaring prompts and resources it does not list is ready, with none of them', async () => {
    const hub = hubOf({ fx: fixture({ env: { DECLARE_UNANSWERED: '1' } }) })
    const s = await ready(hub, 'fx')
    expect(s).toMatchObject({ prompts: [], resources: [], resourceTemplates: [], restarts: 0 })
    expect(s.tools.length).toBeGreaterThan(0)
  })

  it('refuses calls to an unknown server', async () => {
    const hub = hubOf({})
    await expect(hub.callTool('nope', 'echo', {})).rejects.toMatchObject({ kind: 'unknown_server' })
  })
})

describe('McpHub over HTTP', () => {
  it('speaks Streamable HTTP with the configured headers', async () => {
    const up = await startStreamableUpstream()
    upstreams.push(up)
    const hub = hubOf({ remote: { url: up.url, headers: { Authorization: `Bearer ${TOKEN}` } } })
    const s = await ready(hub, 'remote')
    expect(s.transport).toBe('streamable-http')
    expect(s.stderrTail).toEqual([])
    expect(textOf(await hub.callTool('remote', 'whoami', {}))).toBe('streamable')
    expect(up.authorizations.length).toBeGreaterThan(0)
    expect(up.authorizations.every((a) => a === `Bearer ${TOKEN}`)).toBe(true)
  })

  it('a remote server that goes away is noticed by the next call and reconnected when it is back', async () => {
    const first = await startStreamableUpstream()
    const hub = hubOf({ remote: { url: first.url } })
    await ready(hub, 'remote')
    await first.close()
    await expect(hub.callTool('remote', 'whoami', {})).rejects.toMatchObject({ kind: 'upstream' })
    const down = await until(() => {
      const s = hub.statusOf('remote')
      return s?.state === 'restarting' ? s : undefined
    }, 5000)
    expect(down.errors.at(-1)?.message).toMatch(/^the server stopped answering/)
    const again = await startStreamableUpstream(Number(new URL(first.url).port))
    upstreams.push(again)
    const back = await ready(hub, 'remote')
    expect(back.restarts).toBe(1)
    expect(textOf(await hub.callTool('remote', 'whoami', {}))).toBe('streamable')
  })

  it('falls back to HTTP+SSE with `transport: auto`, and not with `streamable-http`', async () => {
    const up = await startSseOnlyUpstream()
    upstreams.push(up)
    const hub = hubOf({
      auto: { url: up.url, headers: { Authorization: `Bearer ${TOKEN}` } },
      strict: { url: up.url, transport: 'streamable-http' },
    })
    const s = await ready(hub, 'auto')
    expect(s.transport).toBe('sse')
    expect(textOf(await hub.callTool('auto', 'whoami', {}))).toBe('sse')
    // The event stream's GET carries the header too, not only the POSTs.
    expect(up.authorizations.filter((a) => a === `Bearer ${TOKEN}`).length).toBeGreaterThan(1)
    const strict = await until(() => {
      const st = hub.statusOf('strict')
      return st && st.errors.length > 0 ? st : undefined
    })
    expect(strict.state).not.toBe('ready')
    expect(strict.errors[0].message).toContain('HTTP 404')
  })
})

describe('McpHub.apply and test', () => {
  it('starts added servers, stops removed and disabled ones, restarts changed ones', async () => {
    const hub = hubOf({ a: fixture(), b: fixture() })
    await ready(hub, 'a')
    await ready(hub, 'b')
    const pidOf = async (name: string) => Number(textOf(await hub.callTool(name, 'grandchild', {})))
    const bChild = await pidOf('b')
    const aChild = await pidOf('a')

    hub.apply({ a: fixture({ confirm: ['echo'] }), c: fixture(), b: fixture({ enabled: false }) })
    const names = (list: McpServerStatus[]) => list.map((s) => s.name).sort()
    expect(names(hub.status())).toEqual(['a', 'b', 'c'])
    expect(hub.statusOf('b')).toMatchObject({ enabled: false, state: 'disabled', tools: [] })
    await until(() => !pidAlive(bChild), 5000)
    // `a` changed: restarted (its old process group ended) with the new config.
    await until(() => !pidAlive(aChild), 5000)
    const a = await ready(hub, 'a')
    expect(a.tools.find((t) => t.name === 'echo')?.needsConfirmation).toBe(true)
    await ready(hub, 'c')
    await expect(hub.callTool('b', 'echo', {})).rejects.toMatchObject({ kind: 'unavailable' })

    hub.apply({ c: fixture() })
    expect(names(hub.status())).toEqual(['c'])
    expect(hub.statusOf('c')?.state).toBe('ready')
  })

  it('test() lists what an unsaved config offers, or says why it cannot connect', async () => {
    const hub = hubOf({})
    const ok = await hub.test(fixture())
    expect(ok.ok && ok.tools.map((t) => t.name)).toContain('echo')
    expect(ok.ok && ok.serverInfo?.name).toBe('hub-fixture')
    expect(hub.status()).toEqual([])

    const missing = await hub.test({ command: '/nonexistent/mcp-server' })
    expect(missing).toMatchObject({ ok: false, error: expect.stringContaining('ENOENT') })

    const silent = await hub.test({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] }, 500)
    expect(silent).toMatchObject({ ok: false, error: expect.stringContaining('500 ms') })
  })
})
