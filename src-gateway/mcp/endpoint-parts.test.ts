import { describe, expect, it } from 'vitest'
import type { VirtualKeyConfig } from '../config/schema.js'
import { buildCatalog, resourceServer } from './aggregate.js'
import { mcpAccessFor } from './permissions.js'
import { SessionTable, type TableEntry } from './sessions.js'
import type { McpServerStatus } from './types.js'

const status = (name: string, over: Partial<McpServerStatus> = {}): McpServerStatus => ({
  name,
  transport: 'stdio',
  enabled: true,
  state: 'ready',
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
  errors: [],
  stderrTail: [],
  restarts: 0,
  ...over,
})
const tool = (name: string) => ({ name, inputSchema: { type: 'object' }, needsConfirmation: false })

describe('mcpAccessFor', () => {
  const keys: VirtualKeyConfig[] = [
    {
      name: 'ci',
      key: 'k1',
      mcp: { tools: ['everything__echo', 'github__*'], prompts: ['everything__*'], resources: ['docs'] },
    },
    { name: 'trusted', key: 'k2', mcp: { tools: ['*'], confirmed: true } },
    { name: 'models-only', key: 'k3' },
  ]

  it('a key reaches only what its globs name, and confirms only with confirmed: true', () => {
    const ci = mcpAccessFor({ kind: 'key', name: 'ci' }, keys)
    expect(ci.tool('everything__echo')).toBe(true)
    expect(ci.tool('everything__add')).toBe(false)
    expect(ci.tool('github__create_issue')).toBe(true)
    expect(ci.prompt('everything__simple')).toBe(true)
    expect(ci.prompt('github__p')).toBe(false)
    expect(ci.resourcesOf('docs')).toBe(true)
    expect(ci.resourcesOf('everything')).toBe(false)
    expect(ci.confirmed).toBe(false)
    expect(ci.keyName).toBe('ci')
    const trusted = mcpAccessFor({ kind: 'key', name: 'trusted' }, keys)
    expect(trusted.tool('anything__at_all')).toBe(true)
    expect(trusted.prompt('everything__simple')).toBe(false)
    expect(trusted.confirmed).toBe(true)
  })

  it('a key without an mcp block, or one removed since it authenticated, reaches nothing', () => {
    for (const name of ['models-only', 'gone']) {
      const a = mcpAccessFor({ kind: 'key', name }, keys)
      expect([a.tool('x__y'), a.prompt('x__y'), a.resourcesOf('x'), a.confirmed]).toEqual([false, false, false, false])
    }
  })

  it('open mode sees everything but confirms nothing; the admin confirms', () => {
    const open = mcpAccessFor({ kind: 'open' }, undefined)
    expect([open.tool('a__b'), open.prompt('a__b'), open.resourcesOf('a'), open.confirmed]).toEqual([
      true,
      true,
      true,
      false,
    ])
    expect(mcpAccessFor({ kind: 'admin' }, keys).confirmed).toBe(true)
  })
})

describe('buildCatalog', () => {
  it('namespaces names and offers only enabled, ready servers', () => {
    const c = buildCatalog([
      status('everything', { tools: [tool('echo')], prompts: [{ name: 'simple' }] }),
      status('other', { tools: [tool('echo')] }),
      status('down', { state: 'failed', tools: [tool('t')] }),
      status('off', { enabled: false, state: 'disabled', tools: [tool('t')] }),
    ])
    expect([...c.tools.keys()].sort()).toEqual(['everything__echo', 'other__echo'])
    expect(c.tools.get('other__echo')).toMatchObject({ server: 'other', item: { name: 'echo' } })
    expect([...c.prompts.keys()]).toEqual(['everything__simple'])
  })

  it('a namespaced clash and a duplicate resource URI go to the server first in name order, whatever the listing order', () => {
    const servers = [
      status('a_', { tools: [tool('b')], resources: [{ uri: 'file:///x' }] }),
      status('a', { tools: [tool('_b')], resources: [{ uri: 'file:///x' }] }),
    ]
    for (const order of [servers, [...servers].reverse()]) {
      const c = buildCatalog(order)
      expect(c.tools.size).toBe(1)
      expect(c.tools.get('a___b')).toMatchObject({ server: 'a', item: { name: '_b' } })
      expect(resourceServer(c, 'file:///x')).toBe('a')
    }
  })

  it('routes a read by listed URI first, then by the first matching template', () => {
    const c = buildCatalog([
      status('one', { resourceTemplates: [{ uriTemplate: 'demo://item/{id}' }] }),
      status('two', { resources: [{ uri: 'demo://item/7' }] }),
    ])
    expect(resourceServer(c, 'demo://item/7')).toBe('two')
    expect(resourceServer(c, 'demo://item/8')).toBe('one')
    expect(resourceServer(c, 'other://x')).toBeUndefined()
  })
})

describe('SessionTable', () => {
  const entry = (id: string, closed: string[], owner = 'key:a'): TableEntry => ({
    id,
    owner,
    lastSeen: 0,
    open: 0,
    close: async () => {
      closed.push(id)
    },
  })

  it('ends the least recently used session when full', () => {
    const closed: string[] = []
    let now = 0
    const t = new SessionTable({ max: 2, perOwner: 2, idleMs: 1000 }, () => now)
    t.add(entry('a', closed))
    t.add(entry('b', closed))
    now = 1
    expect(t.use('a')).toBeDefined()
    t.add(entry('c', closed))
    expect(closed).toEqual(['b'])
    expect(t.all().map((s) => s.id)).toEqual(['a', 'c'])
  })

  it('ends idle sessions, but not one with a response still open', () => {
    const closed: string[] = []
    let now = 0
    const t = new SessionTable({ max: 10, perOwner: 10, idleMs: 1000 }, () => now)
    const streaming = entry('streaming', closed)
    t.add(entry('idle', closed))
    t.add(streaming)
    streaming.open = 1
    now = 1000
    expect(t.use('idle')).toBeUndefined()
    t.sweep()
    expect(closed).toEqual(['idle'])
    expect(t.use('streaming')).toBe(streaming)
  })

  it("one owner opening sessions in a loop ends only its own oldest, never another owner's", () => {
    const closed: string[] = []
    const t = new SessionTable({ max: 4, perOwner: 2, idleMs: 1000 }, () => 0)
    t.add(entry('b1', closed, 'key:b'))
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) t.add(entry(id, closed, 'key:a'))
    expect(closed).toEqual(['a1', 'a2', 'a3'])
    expect(t.all().map((s) => s.id)).toEqual(['b1', 'a4', 'a5'])
  })
})
