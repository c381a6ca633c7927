import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The real Claude Code CLI (`claude -p`), offline with a fresh HOME, against the gateway and the echo mock
// behind an OpenAI-compatible and an Anthropic provider (integrations.md §1, §7).

let mock: RunningMock
let gw: TestGateway
let home: Awaited<ReturnType<typeof tempDir>>

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
  claude: { type: anthropic, baseUrl: "${mock.url}", apiKey: sk-ant-test }
`)
  home = await tempDir('switchyard-claude-')
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
  await home?.remove()
})

/** Only the documented settings: base URL without /v1, a Bearer token, the model names, less traffic. */
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

describe.each([
  ['an OpenAI-compatible provider', 'compat'],
  ['an Anthropic provider', 'claude'],
])('Claude Code → %s', (_label, provider) => {
  it('answers `claude -p "hello"` with the echoed prompt', { timeout: 90_000 }, async () => {
    const before = gw.events.length
    const run = await runTool(toolBin('claude'), ['-p', 'hello'], claudeEnv(`${provider}/mock-gpt`), home.path)
    expect(run.code, run.stderr).toBe(0)
    // The mock echoes the last user turn: Claude Code's system reminder followed by the prompt.
    expect(run.stdout).toContain('Echo: ')
    expect(run.stdout.trimEnd()).toMatch(/hello$/)
    const events = (await waitForEvents(gw, before + 1)).slice(before)
    expect(events).toContainEqual(
      expect.objectContaining({ inboundApi: 'anthropic', provider, status: 200, stream: true }),
    )
  })
})
