import { createHmac } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'
import { type RecordedRequest, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 19: the real Claude Code CLI, thinking on, in one tool loop that crosses providers. A route (named like
// a Claude model, so Claude Code asks for thinking) sends its turns to an OpenAI-compatible reasoning model
// first: it thinks (reasoning_content) and calls Read. The next
// turn (the tool's result) finds that model unavailable and falls back to Anthropic, whose mock accepts only
// thinking it signed, like the real API. The loop must finish with the scripted answer: another model's
// reasoning, which Claude Code keeps as a thinking block and sends back, must not reach Anthropic.

type Obj = Record<string, unknown>
type Block = Obj & { type: string }

const CONTENT = 'The code word is PERIWINKLE-42.'
const ANSWER = 'The file says the code word is PERIWINKLE-42.'
const sign = (text: string) => createHmac('sha256', 'anthropic-mock').update(text).digest('base64')

let gw: TestGateway
let deep: Awaited<ReturnType<typeof startScriptedUpstream>>
let claude: Awaited<ReturnType<typeof startScriptedUpstream>>
let home: Awaited<ReturnType<typeof tempDir>>
let work: Awaited<ReturnType<typeof tempDir>>
let file: string

const lastIsToolResult = (messages: Obj[]) => {
  const last = messages.at(-1)
  if (last?.role === 'tool') return true
  return Array.isArray(last?.content) && (last.content as Block[]).some((b) => b.type === 'tool_result')
}

/** Reasons, then calls Read; gone (503) once the tool's result comes, so the route falls back. */
function deepAnswer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as { messages: Obj[]; tools?: { function: { name: string } }[]; stream?: boolean }
  if (lastIsToolResult(body.messages)) {
    return sendJson(res, 503, { error: { message: 'overloaded', type: 'server_error' } })
  }
  const offersRead = body.tools?.some((t) => t.function.name === 'Read') === true
  const chunk = (delta: Obj, finish: string | null = null, extra: Obj = {}) =>
    `data: ${JSON.stringify({ id: 'd1', object: 'chat.completion.chunk', created: 1, model: 'deep-r', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`
  const usage = { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 }
  const call = {
    id: 'call_read',
    type: 'function',
    function: { name: 'Read', arguments: JSON.stringify({ file_path: file }) },
  }
  if (body.stream !== true) {
    const message = offersRead
      ? { role: 'assistant', content: null, reasoning_content: 'I should read notes.txt.', tool_calls: [call] }
      : { role: 'assistant', content: 'Noted.' }
    return sendJson(res, 200, {
      id: 'd1',
      object: 'chat.completion',
      created: 1,
      model: 'deep-r',
      choices: [{ index: 0, message, finish_reason: offersRead ? 'tool_calls' : 'stop' }],
      usage,
    })
  }
  sendSse(res, [
    chunk({ role: 'assistant', content: null }),
    ...(offersRead
      ? [chunk({ reasoning_content: 'I should read notes.txt.' }), chunk({ tool_calls: [{ index: 0, ...call }] })]
      : [chunk({ content: 'Noted.' })]),
    chunk({}, offersRead ? 'tool_calls' : 'stop'),
    chunk({}, null, { choices: [], usage }),
    'data: [DONE]\n\n',
  ])
}

/** The 400s the Anthropic mock gave (Claude Code recovers from a bad signature by retrying without thinking). */
const rejected: string[] = []

/** Anthropic's checks on thinking it did not sign, and the answer once the file's content is in. */
function claudeAnswer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as { messages: { role: string; content: string | Block[] }[]; stream?: boolean; thinking?: Obj }
  for (const [i, m] of body.messages.entries()) {
    if (m.role !== 'assistant' || typeof m.content === 'string') continue
    for (const [j, b] of m.content.entries()) {
      if (b.type === 'thinking' && b.signature !== sign(String(b.thinking))) {
        const message = `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`
        rejected.push(message)
        return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message } })
      }
    }
  }
  const last = body.messages.at(-1)
  const results = Array.isArray(last?.content) ? last.content.filter((b) => b.type === 'tool_result') : []
  const text = results.length === 0 ? 'Noted.' : JSON.stringify(results).includes(CONTENT) ? ANSWER : 'No file.'
  const thought = 'The file has it.'
  const content = [
    { type: 'thinking', thinking: thought, signature: sign(thought) },
    { type: 'text', text },
  ]
  const usage = { input_tokens: 50, output_tokens: 7 }
  if (body.stream !== true) {
    return sendJson(res, 200, {
      id: 'msg_c',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content,
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    })
  }
  const ev = (type: string, data: Obj) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  sendSse(res, [
    ev('message_start', {
      message: {
        id: 'msg_c',
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
    ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text } }),
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }),
    ev('message_stop', {}),
  ])
}

beforeAll(async () => {
  home = await tempDir('switchyard-claude-home-')
  work = await tempDir('switchyard-claude-work-')
  file = join(work.path, 'notes.txt')
  await writeFile(file, `${CONTENT}\n`)
  deep = await startScriptedUpstream({ 'POST /v1/chat/completions': deepAnswer })
  claude = await startScriptedUpstream({ 'POST /v1/messages': claudeAnswer })
  gw = await startGateway(`
providers:
  deep: { type: openai-compatible, baseUrl: "${deep.url}/v1" }
  claude: { type: anthropic, baseUrl: "${claude.url}", apiKey: sk-ant-test }
routes:
  claude-sonnet-4-5:
    strategy: fallback
    targets:
      - { model: deep/gpt-oss-120b }
      - { model: claude/claude-sonnet-4-5 }
`)
})

afterAll(async () => {
  await gw?.close()
  await Promise.all([deep?.stop(), claude?.stop()])
  await home?.remove()
  await work?.remove()
})

describe('Claude Code with thinking, one tool loop across an OpenAI-compatible model and Anthropic', () => {
  it('reads the file on the first model and finishes on Anthropic without a 400', { timeout: 90_000 }, async () => {
    const run = await runTool(
      toolBin('claude'),
      ['-p', 'What is the code word in notes.txt?', '--allowedTools', 'Read'],
      {
        HOME: home.path,
        ANTHROPIC_BASE_URL: gw.url,
        ANTHROPIC_AUTH_TOKEN: 'sy-local-key',
        ANTHROPIC_API_KEY: '',
        ANTHROPIC_MODEL: 'claude-sonnet-4-5',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-sonnet-4-5',
        ANTHROPIC_SMALL_FAST_MODEL: 'claude-sonnet-4-5',
        MAX_THINKING_TOKENS: '4000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
      },
      work.path,
    )
    expect(run.code, run.stderr + run.stdout).toBe(0)
    expect(run.stdout.trim()).toBe(ANSWER)
    expect(rejected).toEqual([])
    // The tool loop's second turn reached Anthropic with the Read call, and without the other model's thinking.
    const finalTurn = claude.requests
      .filter((r) => r.path === '/v1/messages')
      .map((r) => r.body as { messages: { role: string; content: string | Block[] }[] })
      .find((b) => JSON.stringify(b.messages.at(-1)).includes(CONTENT))
    expect(finalTurn).toBeDefined()
    const loopTurn = finalTurn!.messages.at(-2)!
    expect(loopTurn.role).toBe('assistant')
    expect((loopTurn.content as Block[]).map((b) => b.type)).toEqual(['tool_use'])
    // That turn has no thinking Anthropic signed, so this request ran without thinking.
    expect((finalTurn as Obj).thinking).toBeUndefined()
    // Claude Code did ask for thinking (MAX_THINKING_TOKENS=4000 reached gpt-oss as effort medium), and it kept
    // the first model's reasoning as a thinking block and sent it back: that model got it within its loop.
    const toDeep = deep.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as Obj)
    expect(toDeep[0].reasoning_effort).toBe('medium')
    const resent = toDeep.flatMap((b) => b.messages as Obj[]).filter((m) => m.reasoning_content !== undefined)
    expect(resent.map((m) => m.reasoning_content)).toContain('I should read notes.txt.')
  })
})
