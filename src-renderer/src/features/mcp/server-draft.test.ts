import { describe, expect, it } from 'vitest'
import type { McpServerItem } from '../../../../src-shared/contract/mcp'
import { draftErrors, draftOf, inputOf, testBodyOf } from './server-draft'

const SAVED: McpServerItem = {
  name: 'everything',
  kind: 'stdio',
  enabled: true,
  command: 'npx',
  args: ['-y', '@modelcontextprotocol/server-everything'],
  cwd: '/tmp',
  env: {
    API_KEY: { masked: 'sk-…wxyz', source: 'secret', ref: '${secret:mcp.servers.everything.env.api_key}' },
    TOKEN: { masked: '…', source: 'env', ref: '${env:TOKEN}' },
  },
  url: null,
  transport: null,
  headers: {},
  confirm: ['write_*', 'delete_*'],
  callTimeoutMs: null,
  status: {
    state: 'ready',
    transport: 'stdio',
    tools: [],
    prompts: [],
    resources: [],
    errors: [],
    stderrTail: [],
    restarts: 0,
    connectedAt: null,
    serverInfo: null,
  },
}

describe('the MCP server form', () => {
  it('sends a stored env value left empty back masked (unchanged to the gateway) and a typed one as typed', () => {
    const d = draftOf(SAVED)
    expect(d.env.map((r) => r.value)).toEqual(['', ''])
    d.env[1].value = 'new-token-value'
    expect(inputOf(d)).toEqual({
      name: 'everything',
      enabled: true,
      confirm: ['write_*', 'delete_*'],
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-everything'],
      cwd: '/tmp',
      env: { API_KEY: 'sk-…wxyz', TOKEN: 'new-token-value' },
      url: null,
      transport: null,
      headers: null,
    })
  })

  it('switching a server to remote sends the local fields as null, so the edit leaves no command behind', () => {
    const d = { ...draftOf(SAVED), kind: 'remote' as const, url: ' https://example.com/mcp ', confirm: '' }
    expect(inputOf(d)).toEqual({
      name: 'everything',
      enabled: true,
      confirm: null,
      url: 'https://example.com/mcp',
      transport: 'auto',
      headers: null,
      command: null,
      args: null,
      cwd: null,
      env: null,
    })
  })

  it('tests an edit under its name (its masked values stand for the stored ones) and a new server without one', () => {
    expect(testBodyOf(draftOf(SAVED), true)).toMatchObject({ name: 'everything', command: 'npx' })
    expect(testBodyOf({ ...draftOf(null), command: 'node' }, false)).not.toHaveProperty('name')
  })

  it('names what is wrong: name, command, url, env and header rows', () => {
    const fresh = draftOf(null)
    expect(draftErrors(fresh, [], false)).toMatchObject({ name: expect.any(String), command: expect.any(String) })
    expect(draftErrors({ ...fresh, name: 'everything', command: 'npx' }, ['everything'], false).name).toMatch(
      /exists already/,
    )
    const env = [
      { name: '1BAD', value: 'x' },
      { name: 'OK', value: '' },
      { name: 'DUP', value: 'a' },
      { name: 'DUP', value: 'b' },
    ]
    expect(draftErrors({ ...fresh, name: 'a', command: 'npx', env }, [], false)).toEqual({
      'env.0': expect.stringMatching(/variable name/),
      'env.1': expect.stringMatching(/Give a value/),
      'env.3': expect.stringMatching(/given twice/),
    })
    const remote = {
      ...fresh,
      name: 'r',
      kind: 'remote' as const,
      url: 'ftp://x',
      headers: [{ name: 'X Y', value: 'v' }],
    }
    expect(draftErrors(remote, [], false)).toEqual({
      url: expect.any(String),
      'headers.0': expect.stringMatching(/header name/),
    })
    // A stored row needs no new value; an edit's name is fixed.
    expect(draftErrors(draftOf(SAVED), ['everything'], true)).toEqual({})
  })
})
