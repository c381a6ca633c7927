import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_MODELS, AGENT_WINDOW, type AgentUpstream, startAgentUpstream } from '../helpers/agent-script.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'

// Issue 19: the real Codex CLI runs a tool loop through the gateway to each upstream type. The scripted model
// asks it to run `cat notes.txt` with its exec_command tool, expects the file's content in the tool result,
// then answers. Models that write their call as Hermes text or with broken JSON arguments still drive the
// tool. The run is one session. A model whose window the prompt does not fit answers in the words Codex knows.

let up: AgentUpstream
let gw: TestGateway
let dir: Awaited<ReturnType<typeof tempDir>>
let work: string

const CONTENT = 'The code word is PERIWINKLE-42.'
const ANSWER = 'The file says the code word is PERIWINKLE-42.'

beforeAll(async () => {
  dir = await tempDir('switchyard-codex-agent-')
  work = join(dir.path, 'work')
  await mkdir(work)
  await writeFile(join(work, 'notes.txt'), `${CONTENT}\n`)
  up = await startAgentUpstream({
    toolCall: (offered) =>
      offered.includes('exec_command') ? { name: 'exec_command', arguments: { cmd: 'cat notes.txt' } } : undefined,
    expect: CONTENT,
    answer: ANSWER,
  })
  gw = await startGateway(`
providers:${up.providersYaml}
routes:
  qwen-text:
    targets:
      - { model: local/${AGENT_MODELS.hermesText}, toolCallFormat: hermes }
  tiny:
    targets:
      - { model: local/${AGENT_MODELS.fields}, contextWindow: 4000 }
`)
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
  await dir?.remove()
})

/**
 * codex.test.ts's settings plus the project header docs/tools.md's sessions section shows. MODEL and the
 * address are replaced with this test's.
 */
const CODEX_CONFIG = `
model = "MODEL"
model_provider = "switchyard"

[model_providers.switchyard]
name = "Switchyard"
base_url = "http://127.0.0.1:4141/v1"
env_key = "SWITCHYARD_API_KEY"
wire_api = "responses"
http_headers = { "x-switchyard-project" = "billing-service" }
`

async function codexHome(model: string): Promise<string> {
  const home = join(dir.path, model.replace('/', '-'))
  await mkdir(home, { recursive: true })
  const config = CODEX_CONFIG.replace('MODEL', model).replace('http://127.0.0.1:4141', gw.url)
  await writeFile(join(home, 'config.toml'), config)
  return home
}

describe.each([
  ['an OpenAI-compatible provider', `compat/${AGENT_MODELS.fields}`, 'openai', 0],
  ['an Ollama provider', `local/${AGENT_MODELS.fields}`, 'ollama', 0],
  ['an Anthropic provider', `claude/${AGENT_MODELS.fields}`, 'anthropic', 0],
  ['an Ollama model writing its tool call as Hermes text', 'qwen-text', 'ollama', 1],
  ['an OpenAI-compatible model writing broken tool JSON', `compat/${AGENT_MODELS.brokenJson}`, 'openai', 1],
])('Codex CLI → %s', (_label, model, format, repairs) => {
  it('runs `cat notes.txt` and ends with the scripted answer, in one session', { timeout: 90_000 }, async () => {
    const home = await codexHome(model)
    const firstTurn = up.turns.length
    const firstRequest = up.requests.length
    const before = gw.events.length
    // Codex's own sandbox needs user namespaces the test machine may not allow; it is not what is tested here.
    const run = await runTool(
      toolBin('codex'),
      ['exec', '--skip-git-repo-check', '--sandbox', 'danger-full-access', 'What is the code word in notes.txt?'],
      { HOME: home, CODEX_HOME: home, SWITCHYARD_API_KEY: 'sy-local-key' },
      work,
    )
    const turns = up.turns.slice(firstTurn)
    expect(run.code, run.stderr).toBe(0)
    // Codex prints only the final answer on stdout.
    expect(run.stdout.trim(), JSON.stringify(turns)).toBe(ANSWER)
    expect(turns.filter((t) => t.kind !== 'side')).toEqual([
      expect.objectContaining({ kind: 'tool-call', format }),
      expect.objectContaining({ kind: 'answer', format }),
    ])
    // The session Codex names in its banner is the one every call of the run is logged under.
    const session = /^session id: (\S+)$/m.exec(run.stderr)?.[1]
    expect(session, run.stderr).toBeDefined()
    const events = (await waitForEvents(gw, before + turns.length)).slice(before)
    expect(events).toHaveLength(turns.length)
    for (const e of events) {
      expect(e).toMatchObject({ inboundApi: 'responses', status: 200, sessionId: session, project: 'billing-service' })
      expect(e.clientTool).toBe('codex')
    }
    // Ollama gets a context big enough for the agent's long prompt (its default would cut the start off
    // silently), within the window the mock's /api/show states.
    for (const r of up.requests.slice(firstRequest).filter((r) => r.path === '/api/chat')) {
      const numCtx = (r.body as { options?: { num_ctx?: number } }).options?.num_ctx
      expect(numCtx).toBeGreaterThan(4096)
      expect(numCtx).toBeLessThanOrEqual(AGENT_WINDOW)
    }
    expect(events.reduce((n, e) => n + (e.toolCallRepairs ?? 0), 0)).toBe(repairs)
  })
})

const CHAT_PATHS = new Set(['/v1/chat/completions', '/api/chat', '/v1/messages'])

describe('Codex CLI → a model whose window its prompt does not fit', () => {
  it('gets context_length_exceeded from the gateway and says it ran out of room', { timeout: 90_000 }, async () => {
    const home = await codexHome('tiny')
    const firstRequest = up.requests.length
    const run = await runTool(
      toolBin('codex'),
      ['exec', '--skip-git-repo-check', '--sandbox', 'danger-full-access', 'What is the code word in notes.txt?'],
      { HOME: home, CODEX_HOME: home, SWITCHYARD_API_KEY: 'sy-local-key' },
      work,
    )
    // Codex's own words for context_length_exceeded (another 400 would read "unexpected status").
    expect(run.stderr).toContain("Codex ran out of room in the model's context window")
    expect(run.code).not.toBe(0)
    expect(up.requests.slice(firstRequest).filter((r) => CHAT_PATHS.has(r.path))).toEqual([])
  })
})
