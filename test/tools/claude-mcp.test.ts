import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'
import { sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// The real Claude Code CLI, offline with a fresh HOME, adds the gateway's /mcp endpoint the way the docs and
// the Connect page say, and `claude mcp list` connects to it (its health check is an MCP initialize with
// the key's header). Codex, with the documented config.toml entry, connects and offers the hub's tools to its
// model. server-everything over stdio stands behind the hub.

const EVERYTHING = join(import.meta.dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js')
const KEY = 'sk-mcp-claude-0123456789abcdef'

let gw: TestGateway
let home: Awaited<ReturnType<typeof tempDir>>

beforeAll(async () => {
  const config = {
    keys: [{ name: 'claude', key: '${env:CLAUDE_KEY}', mcp: { tools: ['everything__*'] } }],
    mcp: { servers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] } } },
  }
  gw = await startGateway(JSON.stringify(config), { CLAUDE_KEY: KEY })
  home = await tempDir('switchyard-claude-mcp-')
})

afterAll(async () => {
  await gw?.close()
  await home?.remove()
})

/** The words of one shell line: double-quoted strings are one word (what the docs' commands use). */
const shellWords = (line: string) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2])

const claudeEnv = () => ({ HOME: home.path, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1' })

describe('Claude Code and Codex reach the MCP hub', { timeout: 120_000 }, () => {
  it('`claude mcp add --transport http` with the key header, then `claude mcp list` shows it connected', async () => {
    const url = gw.url
    const key = KEY
    // The lines docs/mcp.md copies, run as written.
    const commands = `
claude mcp add --transport http switchyard ${url}/mcp --header "Authorization: Bearer ${key}"
claude mcp list
`
    const [add, list] = commands.trim().split('\n').map(shellWords)
    const added = await runTool(toolBin('claude'), add.slice(1), claudeEnv(), home.path)
    expect(added.code, added.stderr + added.stdout).toBe(0)
    // The server's tools come up in the background: the hub is connected once it answers initialize.
    let listed = await runTool(toolBin('claude'), list.slice(1), claudeEnv(), home.path)
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(new RegExp(`switchyard: ${url}/mcp \\(HTTP\\) - [✓✔] Connected`))

    // A wrong key is refused: the same CLI then reports the server as not connected.
    const wrong = await runTool(
      toolBin('claude'),
      ['mcp', 'add', '--transport', 'http', 'wrong', `${url}/mcp`, '--header', 'Authorization: Bearer sk-not-a-key'],
      claudeEnv(),
      home.path,
    )
    expect(wrong.code, wrong.stderr).toBe(0)
    listed = await runTool(toolBin('claude'), list.slice(1), claudeEnv(), home.path)
    expect(listed.stdout).toMatch(new RegExp(`switchyard: ${url}/mcp \\(HTTP\\) - [✓✔] Connected`))
    expect(listed.stdout).toMatch(new RegExp(`wrong: ${url}/mcp \\(HTTP\\) - [✗✘!] `))
  })

  it('Codex connects with the documented config.toml entry and offers the hub tools the key may see to its model', async () => {
    // The model is a recorder: what matters is the tool list Codex sends it, built from the hub's tools/list.
    const model = await startScriptedUpstream({
      'POST /v1/responses': (_req, res) =>
        sendJson(res, 400, { error: { message: 'recorded', type: 'invalid_request_error' } }),
    })
    try {
      const deadline = Date.now() + 30_000
      while (gw.app.mcpHub.statusOf('everything')?.state !== 'ready' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100))
      }
      const codexHome = join(home.path, 'codex')
      mkdirSync(codexHome, { recursive: true })
      const url = gw.url
      writeFileSync(
        join(codexHome, 'config.toml'),
        `model = "recorded"
model_provider = "recorder"

[model_providers.recorder]
name = "Recorder"
base_url = "${model.url}/v1"
env_key = "SWITCHYARD_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[mcp_servers.switchyard]
url = "${url}/mcp"
bearer_token_env_var = "SWITCHYARD_KEY"
`,
      )
      await runTool(
        toolBin('codex'),
        ['exec', '--skip-git-repo-check', '--sandbox', 'danger-full-access', 'Echo hello with the hub.'],
        { HOME: home.path, CODEX_HOME: codexHome, SWITCHYARD_KEY: KEY },
        home.path,
      )
      const sent = model.requests.find((r) => r.path === '/v1/responses')?.body as { tools?: Record<string, unknown>[] }
      expect(sent, 'Codex asked its model').toBeDefined()
      // Codex 0.169 gives a server's tools to the model as one namespace tool named after the server.
      const hub = sent.tools?.find((t) => t.type === 'namespace' && t.name === 'mcp__switchyard') as
        | { tools: { name: string }[] }
        | undefined
      expect(hub, JSON.stringify(sent.tools?.map((t) => t.name))).toBeDefined()
      const names = hub!.tools.map((t) => t.name)
      expect(names).toContain('everything__echo')
      // The key's mcp block allows everything__*: nothing else is there.
      expect(names.every((n) => n.startsWith('everything__'))).toBe(true)
    } finally {
      await model.stop()
    }
  })
})
