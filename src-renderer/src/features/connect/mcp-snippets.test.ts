import { describe, expect, it } from 'vitest'
import { buildMcpSnippets } from './mcp-snippets'

const tools = buildMcpSnippets('http://127.0.0.1:4141/')
const code = (id: string) =>
  tools
    .find((t) => t.id === id)!
    .blocks.map((b) => b.code)
    .join('\n')

describe('buildMcpSnippets', () => {
  it('points every tool at /mcp with the key as a reference, never a value', () => {
    expect(tools.map((t) => t.name)).toEqual(['Claude Code', 'Codex CLI', 'Cursor', 'VS Code', 'Claude Desktop'])
    expect(code('claude-code')).toBe(
      'claude mcp add --transport http switchyard http://127.0.0.1:4141/mcp --header "Authorization: Bearer $SWITCHYARD_KEY"',
    )
    expect(code('codex')).toBe(
      '[mcp_servers.switchyard]\nurl = "http://127.0.0.1:4141/mcp"\nbearer_token_env_var = "SWITCHYARD_KEY"',
    )
    expect(JSON.parse(code('cursor')).mcpServers.switchyard).toEqual({
      url: 'http://127.0.0.1:4141/mcp',
      headers: { Authorization: 'Bearer ${env:SWITCHYARD_KEY}' },
    })
    const vscode = JSON.parse(code('vscode'))
    expect(vscode.servers.switchyard).toMatchObject({ type: 'http', url: 'http://127.0.0.1:4141/mcp' })
    expect(vscode.inputs[0]).toMatchObject({ id: 'switchyard-key', password: true })
    const desktop = JSON.parse(code('claude-desktop')).mcpServers.switchyard
    expect(desktop.args).toEqual([
      '-y',
      'mcp-remote',
      'http://127.0.0.1:4141/mcp',
      '--header',
      'Authorization: Bearer <your SWITCHYARD_KEY value>',
    ])
  })
})
