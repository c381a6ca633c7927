import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Calls are grouped into sessions and projects from what each coding agent sends (recorded from Claude Code
// 2.1.331 and Codex 0.169.0, the pinned CLIs): Claude Code's session in `metadata.user_id` (a JSON string now,
// `user_…_account_…_session_<uuid>` in older versions) and its `x-claude-code-session-id` header, Codex's
// `session-id` header (`session_id` / `conversation_id` in older versions), and `x-switchyard-session` /
// `x-switchyard-project` from any tool, which win over what the tool says.

const CLAUDE_SESSION = '32248e23-3993-4a36-89bf-56496451912a'
const CODEX_SESSION = '01a23f14-0898-77f3-97c0-b343c45f2b39'
const CLAUDE_UA = 'claude-cli/2.1.331 (external, sdk-cli)'
const CODEX_UA = 'codex_exec/0.169.0 (Debian 12.0.0; x86_64) unknown (codex_exec; 0.169.0)'

let mock: RunningMock
let gw: TestGateway

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
  claude: { type: anthropic, baseUrl: "${mock.url}", apiKey: sk-ant-test }
`)
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
})

/** Sends one call and returns its log event. */
async function call(path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const before = gw.events.length
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  expect(res.status, await res.text()).toBe(200)
  const events = await waitForEvents(gw, before + 1)
  return events[before] as LogEvent
}

const messages = (model: string, userId?: string) => ({
  model,
  max_tokens: 50,
  messages: [{ role: 'user', content: 'hello' }],
  ...(userId === undefined ? {} : { metadata: { user_id: userId } }),
})
const responses = (model: string) => ({ model, input: 'hello' })
const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hello' }] })

describe('sessions from Claude Code', () => {
  it.each([
    ['an OpenAI-compatible', 'compat/mock-gpt'],
    ['an Anthropic', 'claude/mock-gpt'],
  ])('groups calls by the session in metadata.user_id (JSON form) to %s target', async (_t, model) => {
    const userId = JSON.stringify({ device_id: 'be92aa', account_uuid: '', session_id: CLAUDE_SESSION })
    const first = await call('/v1/messages?beta=true', messages(model, userId), { 'user-agent': CLAUDE_UA })
    const second = await call('/v1/messages?beta=true', messages(model, userId), { 'user-agent': CLAUDE_UA })
    expect(first.sessionId).toBe(CLAUDE_SESSION)
    expect(second.sessionId).toBe(CLAUDE_SESSION)
    expect(first.clientTool).toBe('claude-code')
    expect(first.project).toBeUndefined()
  })

  it('reads the older `user_<hash>_account_<uuid>_session_<uuid>` form', async () => {
    const userId = `user_3f1c9a_account_0b6d2c1e-1111-4a4a-8b8b-222233334444_session_${CLAUDE_SESSION}`
    const e = await call('/v1/messages', messages('claude/mock-gpt', userId), { 'user-agent': CLAUDE_UA })
    expect(e.sessionId).toBe(CLAUDE_SESSION)
  })

  it('reads the x-claude-code-session-id header', async () => {
    const e = await call('/v1/messages', messages('claude/mock-gpt'), {
      'user-agent': CLAUDE_UA,
      'x-claude-code-session-id': CLAUDE_SESSION,
    })
    expect(e.sessionId).toBe(CLAUDE_SESSION)
  })

  it('takes no session from a user_id that names none', async () => {
    const e = await call('/v1/messages', messages('claude/mock-gpt', 'alice@example.com'))
    expect(e.sessionId).toBeUndefined()
  })
})

describe('sessions from Codex', () => {
  it('groups calls by the session-id header', async () => {
    const headers = { 'user-agent': CODEX_UA, originator: 'codex_exec', 'session-id': CODEX_SESSION }
    const first = await call('/v1/responses', responses('compat/mock-gpt'), headers)
    const second = await call('/v1/responses', responses('claude/mock-gpt'), headers)
    expect([first.sessionId, second.sessionId]).toEqual([CODEX_SESSION, CODEX_SESSION])
    expect(first.clientTool).toBe('codex')
  })

  it.each(['session_id', 'conversation_id'])('reads the older %s header', async (name) => {
    const e = await call('/v1/responses', responses('compat/mock-gpt'), {
      'user-agent': CODEX_UA,
      [name]: CODEX_SESSION,
    })
    expect(e.sessionId).toBe(CODEX_SESSION)
  })
})

describe('x-switchyard-session and x-switchyard-project', () => {
  it('set the session and project of any call, over what the tool says', async () => {
    const headers = { 'x-switchyard-session': 'refactor-42', 'x-switchyard-project': 'billing-service' }
    const viaChat = await call('/v1/chat/completions', chat('compat/mock-gpt'), headers)
    expect(viaChat).toMatchObject({ sessionId: 'refactor-42', project: 'billing-service' })
    const userId = JSON.stringify({ session_id: CLAUDE_SESSION })
    const viaClaude = await call('/v1/messages', messages('claude/mock-gpt', userId), {
      ...headers,
      'x-claude-code-session-id': CLAUDE_SESSION,
    })
    expect(viaClaude).toMatchObject({ sessionId: 'refactor-42', project: 'billing-service' })
  })

  it('a project alone names no session', async () => {
    const e = await call('/v1/chat/completions', chat('compat/mock-gpt'), { 'x-switchyard-project': 'docs' })
    expect(e).toMatchObject({ project: 'docs' })
    expect(e.sessionId).toBeUndefined()
  })

  it('keeps a UTF-8 project name whole', async () => {
    // Header bytes reach Node as Latin-1 text; a name in UTF-8 must not turn into mojibake.
    const e = await call('/v1/chat/completions', chat('compat/mock-gpt'), {
      'x-switchyard-project': Buffer.from('café-app', 'utf8').toString('latin1'),
    })
    expect(e.project).toBe('café-app')
  })

  it('ignores values that are too long or carry control or bidi characters', async () => {
    const long = await call('/v1/chat/completions', chat('compat/mock-gpt'), {
      'x-switchyard-session': 's'.repeat(129),
      'x-switchyard-project': 'p'.repeat(201),
    })
    expect([long.sessionId, long.project]).toEqual([undefined, undefined])
    const userId = JSON.stringify({ session_id: `evil\u0007\n${CLAUDE_SESSION}` })
    const bell = await call('/v1/messages', messages('claude/mock-gpt', userId))
    expect(bell.sessionId).toBeUndefined()
    const bidi = await call('/v1/chat/completions', chat('compat/mock-gpt'), {
      'x-switchyard-project': Buffer.from('app\u202Egpj.exe', 'utf8').toString('latin1'),
    })
    expect(bidi.project).toBeUndefined()
  })

  it('falls back to the tool when the header is blank', async () => {
    const e = await call('/v1/responses', responses('compat/mock-gpt'), {
      'x-switchyard-session': '   ',
      'session-id': CODEX_SESSION,
    })
    expect(e.sessionId).toBe(CODEX_SESSION)
  })

  it('leaves a call without any of them out of every session', async () => {
    const e = await call('/v1/chat/completions', chat('compat/mock-gpt'))
    expect([e.sessionId, e.project]).toEqual([undefined, undefined])
  })
})

describe('projects from the working folder Claude Code and Codex tell the model', () => {
  // Claude Code states it in a system message among `messages`; Codex in an <environment_context> input item.
  const claudeBody = (cwd: string) => ({
    ...messages('claude/mock-gpt'),
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hello' }] },
      {
        role: 'system',
        content: [
          {
            type: 'text',
            text: `# Environment\nYou have been invoked in the following environment: \n - Primary working directory: ${cwd}\n - Is a git repository: false\n`,
          },
        ],
      },
    ],
  })
  const codexBody = (cwd: string) => ({
    model: 'compat/mock-gpt',
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
      {
        type: 'message',
        role: 'user',
        content: [
          {
            type: 'input_text',
            text: `<environment_context>\n  <cwd>${cwd}</cwd>\n  <shell>bash</shell>\n</environment_context>`,
          },
        ],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
    ],
  })

  it("names the project after Claude Code's working folder", async () => {
    const e = await call('/v1/messages', claudeBody('/home/ana/src/billing-service'), { 'user-agent': CLAUDE_UA })
    expect(e.project).toBe('billing-service')
  })

  it("names the project after Codex's working folder", async () => {
    const e = await call('/v1/responses', codexBody('C:\\Users\\ana\\my app'), { 'user-agent': CODEX_UA })
    expect(e.project).toBe('my app')
  })

  it('lets x-switchyard-project win, and reads no other tool’s prompt', async () => {
    const named = await call('/v1/messages', claudeBody('/home/ana/src/billing-service'), {
      'user-agent': CLAUDE_UA,
      'x-switchyard-project': 'billing',
    })
    expect(named.project).toBe('billing')
    const other = await call('/v1/messages', claudeBody('/home/ana/src/billing-service'), {
      'user-agent': 'Anthropic/JS 0.128.0',
    })
    expect(other.project).toBeUndefined()
    const root = await call('/v1/responses', codexBody('/'), { 'user-agent': CODEX_UA })
    expect(root.project).toBeUndefined()
  })
})

describe('the calling tool', () => {
  it.each([
    [CLAUDE_UA, 'claude-code'],
    [CODEX_UA, 'codex'],
    ['codex_cli_rs/0.169.0 (Mac OS 15.1.0; arm64) iTerm.app/3.5.0', 'codex'],
    ['Anthropic/JS 0.128.0', 'anthropic'],
    ['OpenAI/Python 1.99.1', 'openai'],
    ['python-httpx/0.28.1', 'python-httpx'],
  ])('is named from the user-agent %s', async (ua, tool) => {
    const e = await call('/v1/chat/completions', chat('compat/mock-gpt'), { 'user-agent': ua })
    expect(e.clientTool).toBe(tool)
  })

  it('is left out when the user-agent names nothing usable', async () => {
    const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'
    for (const ua of ['', '(compatible)', `${'x'.repeat(80)}/1.0`, browser]) {
      const e = await call('/v1/chat/completions', chat('compat/mock-gpt'), { 'user-agent': ua })
      expect(e.clientTool, ua).toBeUndefined()
    }
  })
})

describe('the OpenAPI document', () => {
  it('states the session and project headers on the model APIs', async () => {
    const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as {
      paths: Record<string, { post: { parameters?: { name: string; in: string }[] } }>
    }
    for (const path of ['/v1/chat/completions', '/v1/messages', '/v1/responses', '/api/chat']) {
      const headers = (doc.paths[path].post.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name)
      expect(headers, path).toEqual(expect.arrayContaining(['x-switchyard-session', 'x-switchyard-project']))
    }
  })
})
