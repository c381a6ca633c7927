import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_MODELS, AGENT_WINDOW, type AgentUpstream, startAgentUpstream } from '../helpers/agent-script.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'

// Issue 19: the real Claude Code CLI runs a tool loop through the gateway to each upstream type. The scripted
// model asks it to Read a file, expects the file's content in the tool result, then answers. Models that write
// their call as Hermes text or with broken JSON arguments still drive the tool. The run is one session. A model
// whose window the prompt does not fit answers in the words Claude Code knows, so it can compact.

let up: AgentUpstream
let gw: TestGateway
let home: Awaited<ReturnType<typeof tempDir>>
let work: Awaited<ReturnType<typeof tempDir>>

const CONTENT = 'The code word is PERIWINKLE-42.'
const ANSWER = 'The file says the code word is PERIWINKLE-42.'

beforeAll(async () => {
  home = await tempDir('switchyard-claude-home-')
  work = await tempDir('switchyard-claude-work-')
  const file = join(work.path, 'notes.txt')
  await writeFile(file, `${CONTENT}\n`)
  up = await startAgentUpstream({
    // Claude Code's Read takes an absolute path.
    toolCall: (offered) => (offered.includes('Read') ? { name: 'Read', arguments: { file_path: file } } : undefined),
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
  await home?.remove()
  await work?.remove()
})

/** docs/tools.md's settings, and the project header its sessions section shows. */
function claudeEnv(model: string): Record<string, string> {
  return {
    HOME: home.path,
    ANTHROPIC_BASE_URL: gw.url,
    ANTHROPIC_AUTH_TOKEN: 'sy-local-key',
    ANTHROPIC_API_KEY: '',
    ANTHROPIC_MODEL: model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
    ANTHROPIC_SMALL_FAST_MODEL: model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    ANTHROPIC_CUSTOM_HEADERS: 'x-switchyard-project: billing-service',
  }
}

describe.each([
  ['an OpenAI-compatible provider', `compat/${AGENT_MODELS.fields}`, 'openai', 0],
  ['an Ollama provider', `local/${AGENT_MODELS.fields}`, 'ollama', 0],
  ['an Anthropic provider', `claude/${AGENT_MODELS.fields}`, 'anthropic', 0],
  ['an Ollama model writing its tool call as Hermes text', 'qwen-text', 'ollama', 1],
  ['an OpenAI-compatible model writing broken tool JSON', `compat/${AGENT_MODELS.brokenJson}`, 'openai', 1],
])('Claude Code → %s', (_label, model, format, repairs) => {
  it('reads the file with its Read tool and ends with the scripted answer, in one session', {
    timeout: 90_000,
  }, async () => {
    const firstTurn = up.turns.length
    const firstRequest = up.requests.length
    const before = gw.events.length
    const session = randomUUID()
    const run = await runTool(
      toolBin('claude'),
      ['-p', 'What is the code word in notes.txt?', '--allowedTools', 'Read', '--session-id', session],
      claudeEnv(model),
      work.path,
    )
    const turns = up.turns.slice(firstTurn)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.trim(), JSON.stringify(turns)).toBe(ANSWER)
    // The scripted turns, in the upstream's own format; side requests (titles and such) may come between.
    expect(turns.filter((t) => t.kind !== 'side')).toEqual([
      expect.objectContaining({ kind: 'tool-call', format }),
      expect.objectContaining({ kind: 'answer', format }),
    ])
    const events = (await waitForEvents(gw, before + turns.length)).slice(before)
    expect(events).toHaveLength(turns.length)
    for (const e of events) {
      expect(e).toMatchObject({ inboundApi: 'anthropic', status: 200, sessionId: session, project: 'billing-service' })
      expect(e.clientTool).toBe('claude-code')
    }
    // The call the model wrote badly was mended once, on the turn that made it.
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

describe('Claude Code → a model whose window its prompt does not fit', () => {
  it('gets Anthropic’s “prompt is too long” from the gateway and reads the limit from it', {
    timeout: 90_000,
  }, async () => {
    const firstRequest = up.requests.length
    const run = await runTool(
      toolBin('claude'),
      ['-p', 'What is the code word in notes.txt?'],
      claudeEnv('tiny'),
      work.path,
    )
    // Claude Code's own words for the error it recognises: the prompt's size and the window it parsed.
    expect(run.stdout).toMatch(/Prompt is too long · the request is ~\d+ tokens \(limit 4000\)/)
    expect(run.code).not.toBe(0)
    expect(up.requests.slice(firstRequest).filter((r) => CHAT_PATHS.has(r.path))).toEqual([])
  })
})
