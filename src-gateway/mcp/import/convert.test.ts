import { describe, expect, it } from 'vitest'
import { convertServer, type Folders } from './convert.js'
import { validServerName } from './plan.js'

const folders = { home: '/home/me', project: '/home/me/app' }

describe('convertServer', () => {
  it('fills in folder variables where nothing resolves at run time, and keeps env references where they do', () => {
    expect(
      convertServer(
        { command: 'npx', args: ['fs', '${workspaceFolder}', '${userHome}/x'], env: { A: '${env:A}', B: 'x${B}y' } },
        folders,
      ),
    ).toEqual({
      ok: true,
      server: { command: 'npx', args: ['fs', '/home/me/app', '/home/me/x'], env: { A: '${env:A}', B: 'x${env:B}y' } },
    })
  })

  it('says why a server cannot be carried over', () => {
    const reason = (entry: unknown, f: Folders = folders) => {
      const c = convertServer(entry, f)
      return c.ok ? undefined : c.reason
    }
    expect(reason({ command: 'x', args: ['${workspaceFolder}'] }, { home: '/h' })).toBe(
      'args[0] uses ${workspaceFolder}, which Switchyard does not expand there',
    )
    expect(reason({ command: 'x', args: ['--token', '${TOKEN}'] })).toBe(
      'args[1] uses ${TOKEN}, which Switchyard does not expand there',
    )
    expect(reason({ command: 'x', env: { T: '${T:-none}' } })).toBe(
      'env.T uses ${T:-none}, which only the tool it comes from can fill in',
    )
    expect(reason({ command: 'x', envFile: '.env' })).toBe('it reads an envFile, which Switchyard does not')
    expect(reason({ type: 'websocket', url: 'ws://x' })).toBe("transport type 'websocket' is not one Switchyard speaks")
    expect(reason({ type: 'stdio' })).toBe('it has no command')
  })

  it('maps the transport types and a disabled flag', () => {
    expect(convertServer({ url: 'https://a/mcp', disabled: true }, folders)).toEqual({
      ok: true,
      server: { url: 'https://a/mcp', enabled: false },
    })
    expect(convertServer({ type: 'http', url: 'https://a/mcp?key=${API_KEY}' }, folders)).toEqual({
      ok: true,
      server: { url: 'https://a/mcp?key=${env:API_KEY}', transport: 'streamable-http' },
    })
    expect(convertServer({ type: 'sse', url: 'https://a/sse' }, folders)).toEqual({
      ok: true,
      server: { url: 'https://a/sse', transport: 'sse' },
    })
  })

  it('makes a name the config and the admin API accept', () => {
    expect(validServerName('my server')).toBe('my-server')
    expect(validServerName('a__b')).toBe('a_b')
    expect(validServerName('--x_')).toBe('x')
    expect(validServerName('日本')).toBe('server')
    expect(validServerName('n'.repeat(100))).toHaveLength(60)
  })
})
