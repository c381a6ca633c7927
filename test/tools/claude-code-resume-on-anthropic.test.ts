import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AGENT_MODELS, type AgentUpstream, REASONING, startAgentUpstream } from '../helpers/agent-script.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'

// Issue 19: a Claude Code session on a DeepSeek-style model (reasoning_content beside its tool call), then
// resumed on an Anthropic model. Claude Code keeps the reasoning as a thinking block and sends it back every
// turn: the reasoning model gets its reasoning back within its tool loop, and Anthropic, which refuses a
// thinking block it did not sign, never sees it.

let up: AgentUpstream
let gw: TestGateway
let home: Awaited<ReturnType<typeof tempDir>>

const CONTENT = 'The code word is PERIWINKLE-42.'
const ANSWER = 'The file says the code word is PERIWINKLE-42.'

beforeAll(async () => {
  home = await tempDir('switchyard-claude-thinking-')
  const file = join(home.path, 'notes.txt')
  await writeFile(file, `${CONTENT}\n`)
  up = await startAgentUpstream({
    toolCall: (offered) => (offered.includes('Read') ? { name: 'Read', arguments: { file_path: file } } : undefined),
    expect: CONTENT,
    answer: ANSWER,
  })
  gw = await startGateway(`
providers:${up.providersYaml}
`)
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
  await home?.remove()
})

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
  }
}

type Message = { role: string; content?: unknown; reasoning_content?: string; tool_calls?: unknown[] }

it('reasoning goes back to the model that wrote it, never to Anthropic', { timeout: 120_000 }, async () => {
  const session = randomUUID()
  const claude = (model: string, args: string[]) => runTool(toolBin('claude'), args, claudeEnv(model), home.path)

  const ask = ['-p', 'What is the code word in notes.txt?', '--allowedTools', 'Read', '--session-id', session]
  const first = await claude(`compat/${AGENT_MODELS.reasoning}`, ask)
  expect(first.code, first.stderr).toBe(0)
  expect(first.stdout.trim()).toBe(ANSWER)
  // Turn 2 of the tool loop: the assistant turn with the call carries the model's own reasoning back.
  const loop = up.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)!.body as { messages: Message[] }
  const callTurn = loop.messages.find((m) => m.role === 'assistant' && m.tool_calls)
  expect(callTurn?.reasoning_content).toBe(REASONING)

  // The same conversation, thinking block included, now goes to Anthropic.
  const turn = up.turns.length
  const before = gw.events.length
  const again = ['-p', 'Read it once more.', '--allowedTools', 'Read', '--resume', session]
  const second = await claude(`claude/${AGENT_MODELS.fields}`, again)
  expect(second.code, second.stdout + second.stderr).toBe(0)
  expect(second.stdout.trim()).toBe(ANSWER)
  expect(up.turns.slice(turn).map((t) => t.kind)).not.toContain('refused')
  // Claude Code did send the block (with the gateway's signature); the gateway left it out.
  // The logged body: the client's JSON text.
  const sent = gw.events.slice(before).map((e) => String(e.requestBody))
  expect(sent.some((b) => b.includes('"type":"thinking"') && b.includes('switchyard.reasoning.v1'))).toBe(true)
})
