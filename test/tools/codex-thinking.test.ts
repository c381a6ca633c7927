import { createHmac } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'
import { type RecordedRequest, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 19: the real Codex CLI with a reasoning effort, in a tool loop on Anthropic. Claude thinks (signed) and
// calls exec_command; on the next turn Anthropic wants that thinking back, signature intact, at the start of
// the tool turn, or it refuses the request (its rule while thinking is on). Codex keeps the reasoning items the
// gateway made from Claude's thinking and sends them back: the mock accepts only signatures it issued.

type Obj = Record<string, unknown>
type Block = Obj & { type: string }
type Msg = { role: string; content: string | Block[] }

const CONTENT = 'The code word is PERIWINKLE-42.'
const ANSWER = 'The file says the code word is PERIWINKLE-42.'
const sign = (text: string) => createHmac('sha256', 'anthropic-mock').update(text).digest('base64')

/** The 400s the mock gave, in Anthropic's words. */
const rejected: string[] = []

function thinkingProblem(body: { messages: Msg[]; thinking?: { type: string } }): string | undefined {
  for (const [i, m] of body.messages.entries()) {
    if (m.role !== 'assistant' || typeof m.content === 'string') continue
    for (const [j, b] of m.content.entries()) {
      if (b.type === 'thinking' && b.signature !== sign(String(b.thinking))) {
        return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`
      }
    }
  }
  if (!body.thinking || body.thinking.type === 'disabled') return undefined
  const last = body.messages.at(-1)
  const results = Array.isArray(last?.content) && last.content.some((b) => b.type === 'tool_result')
  const turn = results ? body.messages.at(-2) : undefined
  const first = Array.isArray(turn?.content) ? turn.content[0]?.type : undefined
  if (turn?.role === 'assistant' && first !== 'thinking' && first !== 'redacted_thinking') {
    return `messages.${body.messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`
  }
  return undefined
}

function claudeAnswer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as {
    messages: Msg[]
    tools?: { name: string }[]
    stream?: boolean
    thinking?: { type: string }
  }
  const problem = thinkingProblem(body)
  if (problem) {
    rejected.push(problem)
    return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: problem } })
  }
  const last = body.messages.at(-1)
  const results = Array.isArray(last?.content) ? last.content.filter((b) => b.type === 'tool_result') : []
  const offersExec = body.tools?.some((t) => t.name === 'exec_command') === true
  const thought = results.length > 0 ? 'The file has it.' : 'I should look at notes.txt.'
  const blocks: Block[] = [{ type: 'thinking', thinking: thought, signature: sign(thought) }]
  if (results.length > 0) {
    blocks.push({ type: 'text', text: JSON.stringify(results).includes(CONTENT) ? ANSWER : 'No file.' })
  } else if (offersExec) {
    blocks.push({ type: 'tool_use', id: 'toolu_exec', name: 'exec_command', input: { cmd: 'cat notes.txt' } })
  } else blocks.push({ type: 'text', text: 'Noted.' })
  const stop = blocks.at(-1)!.type === 'tool_use' ? 'tool_use' : 'end_turn'
  const usage = { input_tokens: 50, output_tokens: 7 }
  if (body.stream !== true) {
    return sendJson(res, 200, {
      id: 'msg_x',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: blocks,
      stop_reason: stop,
      stop_sequence: null,
      usage,
    })
  }
  const ev = (type: string, data: Obj) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  const frames = [
    ev('message_start', {
      message: {
        id: 'msg_x',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: thought } }),
    ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: sign(thought) } }),
    ev('content_block_stop', { index: 0 }),
  ]
  const second = blocks[1]
  if (second.type === 'tool_use') {
    frames.push(
      ev('content_block_start', { index: 1, content_block: { ...second, input: {} } }),
      ev('content_block_delta', {
        index: 1,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(second.input) },
      }),
    )
  } else {
    frames.push(
      ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
      ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: second.text } }),
    )
  }
  frames.push(
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 7 } }),
    ev('message_stop', {}),
  )
  sendSse(res, frames)
}

let claude: Awaited<ReturnType<typeof startScriptedUpstream>>
let gw: TestGateway
let dir: Awaited<ReturnType<typeof tempDir>>
let work: string

beforeAll(async () => {
  dir = await tempDir('switchyard-codex-thinking-')
  work = join(dir.path, 'work')
  await mkdir(work)
  await writeFile(join(work, 'notes.txt'), `${CONTENT}\n`)
  claude = await startScriptedUpstream({ 'POST /v1/messages': claudeAnswer })
  gw = await startGateway(`
providers:
  claude: { type: anthropic, baseUrl: "${claude.url}", apiKey: sk-ant-test }
`)
})

afterAll(async () => {
  await gw?.close()
  await claude?.stop()
  await dir?.remove()
})

describe('Codex CLI with a reasoning effort, in a tool loop on Anthropic', () => {
  it('gets Claude its signed thinking back on the tool turn and finishes without a 400', {
    timeout: 90_000,
  }, async () => {
    const home = join(dir.path, 'home')
    await mkdir(home)
    await writeFile(
      join(home, 'config.toml'),
      `
model = "claude/claude-sonnet-4-5"
model_provider = "switchyard"
model_reasoning_effort = "medium"

[model_providers.switchyard]
name = "Switchyard"
base_url = "${gw.url}/v1"
env_key = "SWITCHYARD_API_KEY"
wire_api = "responses"
`,
    )
    const run = await runTool(
      toolBin('codex'),
      ['exec', '--skip-git-repo-check', '--sandbox', 'danger-full-access', 'What is the code word in notes.txt?'],
      { HOME: home, CODEX_HOME: home, SWITCHYARD_API_KEY: 'sy-local-key' },
      work,
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.trim()).toBe(ANSWER)
    expect(rejected).toEqual([])
    const toolTurn = claude.requests
      .filter((r) => r.path === '/v1/messages')
      .map((r) => r.body as { messages: Msg[]; thinking?: Obj })
      .find((b) => JSON.stringify(b.messages.at(-1)).includes(CONTENT))
    // Thinking stayed on (reasoning effort medium), and the tool turn starts with Claude's own signed block.
    expect(toolTurn?.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 })
    const turn = toolTurn!.messages.at(-2)!
    expect(turn.content).toEqual([
      { type: 'thinking', thinking: 'I should look at notes.txt.', signature: sign('I should look at notes.txt.') },
      { type: 'tool_use', id: 'toolu_exec', name: 'exec_command', input: { cmd: 'cat notes.txt' } },
    ])
  })
})
