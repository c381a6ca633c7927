import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_MODELS, type AgentUpstream, startAgentUpstream } from '../helpers/agent-script.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'

// The real Codex CLI with its model calls and the MCP hub both through the gateway: Codex gives its model each
// MCP server's tools as one Responses `namespace` tool; the gateway offers them to a model behind any API
// under flat names (`mcp__switchyard__everything__echo`) and gives the model's call its namespace back, so
// Codex runs it through /mcp (server-everything over stdio) and the echo reaches the scripted model.

const EVERYTHING = join(import.meta.dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js')
const KEY = 'sk-codex-mcp-0123456789abcdef'
const MESSAGE = 'hello through the hub'
const ANSWER = 'The hub echoed the message back.'

let up: AgentUpstream
let gw: TestGateway
let dir: Awaited<ReturnType<typeof tempDir>>

beforeAll(async () => {
  dir = await tempDir('switchyard-codex-mcp-')
  up = await startAgentUpstream({
    toolCall: (offered) =>
      offered.includes('mcp__switchyard__everything__echo')
        ? { name: 'mcp__switchyard__everything__echo', arguments: { message: MESSAGE } }
        : undefined,
    expect: `Echo: ${MESSAGE}`,
    answer: ANSWER,
  })
  gw = await startGateway(
    `
providers:${up.providersYaml}
keys:
  - { name: codex, key: "\${env:CODEX_KEY}", mcp: { tools: ["everything__*"] } }
mcp:
  servers:
    everything: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING)}, stdio] }
`,
    { CODEX_KEY: KEY },
  )
  // The hub starts the server in the background; Codex lists the tools once, when it starts.
  const deadline = Date.now() + 30_000
  while (gw.app.mcpHub.statusOf('everything')?.state !== 'ready' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
  }
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
  await dir?.remove()
})

describe.each([
  ['an OpenAI-compatible provider', `compat/${AGENT_MODELS.fields}`],
  ['an Anthropic provider', `claude/${AGENT_MODELS.fields}`],
])('Codex CLI → the MCP hub, its model behind %s', (_label, model) => {
  it('calls the hub tool the model asks for and gives the model its result', { timeout: 120_000 }, async () => {
    const home = join(dir.path, model.replace('/', '-'))
    await mkdir(home, { recursive: true })
    await writeFile(
      join(home, 'config.toml'),
      `model = "${model}"
model_provider = "switchyard"

[model_providers.switchyard]
name = "Switchyard"
base_url = "${gw.url}/v1"
env_key = "SWITCHYARD_KEY"
wire_api = "responses"

[mcp_servers.switchyard]
url = "${gw.url}/mcp"
bearer_token_env_var = "SWITCHYARD_KEY"
`,
    )
    const firstTurn = up.turns.length
    const before = gw.events.length
    const run = await runTool(
      toolBin('codex'),
      ['exec', '--skip-git-repo-check', '--sandbox', 'danger-full-access', 'Echo my message with the hub.'],
      { HOME: home, CODEX_HOME: home, SWITCHYARD_KEY: KEY },
      dir.path,
    )
    const turns = up.turns.slice(firstTurn)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.trim(), JSON.stringify(turns)).toBe(ANSWER)
    expect(turns.filter((t) => t.kind !== 'side')).toEqual([
      expect.objectContaining({ kind: 'tool-call' }),
      expect.objectContaining({ kind: 'answer' }),
    ])
    // The call went through /mcp with Codex's key: a tool-call row beside the model calls.
    const events = (await waitForEvents(gw, before + turns.length + 1)).slice(before)
    expect(events).toContainEqual(expect.objectContaining({ inboundApi: 'mcp', status: 200, keyName: 'codex' }))
  })
})
