import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The real Codex CLI (`codex exec`), offline with a fresh CODEX_HOME whose config.toml names the gateway as
// a Responses-API provider, against the echo mock behind an OpenAI-compatible and an Anthropic provider
// (integrations.md §2, §7).

let mock: RunningMock
let gw: TestGateway
let dir: Awaited<ReturnType<typeof tempDir>>

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
  claude: { type: anthropic, baseUrl: "${mock.url}", apiKey: sk-ant-test }
`)
  dir = await tempDir('switchyard-codex-')
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
  await dir?.remove()
})

/**
 * The settings docs/tools.md shows (copied from here): a custom provider with base_url ending in /v1 and
 * wire_api = "responses". MODEL and the address are replaced with this test's.
 */
const CODEX_CONFIG = `
model = "MODEL"
model_provider = "switchyard"

[model_providers.switchyard]
name = "Switchyard"
base_url = "http://127.0.0.1:4141/v1"
env_key = "SWITCHYARD_API_KEY"
wire_api = "responses"
`

async function codexHome(model: string): Promise<string> {
  const home = join(dir.path, model.replace('/', '-'))
  await mkdir(home, { recursive: true })
  const config = CODEX_CONFIG.replace('MODEL', model).replace('http://127.0.0.1:4141', gw.url)
  await writeFile(join(home, 'config.toml'), config)
  return home
}

describe.each([
  ['an OpenAI-compatible provider', 'compat'],
  ['an Anthropic provider', 'claude'],
])('Codex CLI → %s', (_label, provider) => {
  it('answers `codex exec "hello"` with the echoed prompt', { timeout: 90_000 }, async () => {
    const home = await codexHome(`${provider}/mock-gpt`)
    const before = gw.events.length
    const run = await runTool(
      toolBin('codex'),
      ['exec', '--skip-git-repo-check', 'hello'],
      { HOME: home, CODEX_HOME: home, SWITCHYARD_API_KEY: 'sy-local-key' },
      dir.path,
    )
    expect(run.code, run.stderr).toBe(0)
    // Codex prints only the final answer on stdout. Behind Anthropic its context turn and the prompt are
    // merged into one user turn, so the echo ends with the prompt.
    expect(run.stdout).toContain('Echo: ')
    expect(run.stdout.trimEnd()).toMatch(/hello$/)
    const events = (await waitForEvents(gw, before + 1)).slice(before)
    expect(events).toContainEqual(
      expect.objectContaining({ inboundApi: 'responses', provider, status: 200, stream: true }),
    )
  })
})
