import { KEY_VAR, type ToolSnippets } from './snippets'

/**
 * How each agent reaches the gateway's MCP hub at `/mcp` (Streamable HTTP) with a gateway key: the same
 * commands and files docs/mcp.md gives, the first two run by test/tools/claude-mcp.test.ts. The key is a
 * reference to `$SWITCHYARD_KEY` (or the tool's own way to ask for one), never a value.
 */
export function buildMcpSnippets(baseUrl: string): ToolSnippets[] {
  const url = `${baseUrl.replace(/\/+$/, '')}/mcp`
  const json = (o: unknown) => JSON.stringify(o, null, 2)
  return [
    {
      id: 'claude-code',
      name: 'Claude Code',
      speaks: 'Streamable HTTP',
      blocks: [
        {
          title: 'Terminal',
          code: `claude mcp add --transport http switchyard ${url} --header "Authorization: Bearer $${KEY_VAR}"`,
        },
      ],
      note: '`claude mcp list` then shows "switchyard … ✔ Connected". Add `--scope user` to use it in every project.',
    },
    {
      id: 'codex',
      name: 'Codex CLI',
      speaks: 'Streamable HTTP',
      blocks: [
        {
          title: '~/.codex/config.toml',
          code: ['[mcp_servers.switchyard]', `url = "${url}"`, `bearer_token_env_var = "${KEY_VAR}"`].join('\n'),
        },
      ],
      note: `Codex reads the key from ${KEY_VAR} in its environment and sends it as a Bearer token.`,
    },
    {
      id: 'cursor',
      name: 'Cursor',
      speaks: 'Streamable HTTP',
      blocks: [
        {
          title: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
          code: json({
            mcpServers: { switchyard: { url, headers: { Authorization: `Bearer \${env:${KEY_VAR}}` } } },
          }),
        },
      ],
      note: `Cursor fills in \${env:${KEY_VAR}} from the environment it was started in. Its MCP client runs on this machine, so 127.0.0.1 works here (unlike its model calls).`,
    },
    {
      id: 'vscode',
      name: 'VS Code',
      speaks: 'Streamable HTTP',
      blocks: [
        {
          title: '.vscode/mcp.json (or MCP: Open User Configuration)',
          code: json({
            inputs: [{ type: 'promptString', id: 'switchyard-key', description: 'Switchyard key', password: true }],
            servers: {
              switchyard: { type: 'http', url, headers: { Authorization: 'Bearer ${input:switchyard-key}' } },
            },
          }),
        },
      ],
      note: 'VS Code asks for the key the first time it starts the server and keeps it in its own secret storage.',
    },
    {
      id: 'claude-desktop',
      name: 'Claude Desktop',
      speaks: 'stdio, through the mcp-remote bridge',
      blocks: [
        {
          title: 'claude_desktop_config.json (Settings → Developer → Edit Config)',
          code: json({
            mcpServers: {
              switchyard: {
                command: 'npx',
                args: ['-y', 'mcp-remote', url, '--header', `Authorization: Bearer <your ${KEY_VAR} value>`],
              },
            },
          }),
        },
      ],
      warning:
        'Claude Desktop starts MCP servers as local programs (stdio) from this file: the npm package mcp-remote bridges it to the URL. It needs Node.js, and the key itself goes into the file (it cannot read your environment).',
    },
  ]
}
