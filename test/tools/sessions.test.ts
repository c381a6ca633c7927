import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The real Claude Code and Codex CLIs, offline against the gateway and the echo mock: every call of one run
// belongs to one session, two runs are two sessions, and the project header each tool is told to send
// (docs/sessions.md, copied from here) names the project of every call. Without the header, the project is
// the folder the tool runs in, read from the working directory each tool tells its model.

let mock: RunningMock
let gw: TestGateway
let dir: Awaited<ReturnType<typeof tempDir>>

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
`)
  dir = await tempDir('switchyard-sessions-')
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
  await dir?.remove()
})

/** Runs the tool and returns the log events of its calls (the last row is written just after it exits). */
async function eventsOf(run: () => ReturnType<typeof runTool>): Promise<LogEvent[]> {
  const before = gw.events.length
  const result = await run()
  expect(result.code, result.stderr).toBe(0)
  return (await waitForEvents(gw, before + 1)).slice(before)
}

/** The one session all these calls share. */
function sessionOf(events: LogEvent[]): string {
  const ids = new Set(events.map((e) => e.sessionId))
  expect([...ids]).toHaveLength(1)
  const [id] = ids
  expect(id).toMatch(/^[0-9a-f-]{36}$/)
  return id as string
}

/** A folder to run a tool in, named like a repository. */
async function projectFolder(name: string): Promise<string> {
  const folder = join(dir.path, name)
  await mkdir(folder, { recursive: true })
  return folder
}

describe('Claude Code', () => {
  const claudeEnv = (home: string) => ({
    HOME: home,
    ANTHROPIC_BASE_URL: gw.url,
    ANTHROPIC_AUTH_TOKEN: 'sy-local-key',
    ANTHROPIC_API_KEY: '',
    ANTHROPIC_MODEL: 'compat/mock-gpt',
    ANTHROPIC_DEFAULT_HAIKU_MODEL: 'compat/mock-gpt',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  })

  it('names the project after the folder it runs in when no header names one', { timeout: 120_000 }, async () => {
    const home = join(dir.path, 'claude-home')
    await mkdir(home, { recursive: true })
    const folder = await projectFolder('inventory-app')
    const events = await eventsOf(() => runTool(toolBin('claude'), ['-p', 'hello'], claudeEnv(home), folder))
    for (const e of events) expect(e).toMatchObject({ project: 'inventory-app', clientTool: 'claude-code' })
  })

  it('groups each run into its own session, in the project its custom header names', { timeout: 120_000 }, async () => {
    const home = join(dir.path, 'claude')
    await mkdir(home, { recursive: true })
    const env = {
      ...claudeEnv(home),
      // docs/sessions.md: one "Name: value" per line.
      ANTHROPIC_CUSTOM_HEADERS: 'x-switchyard-project: billing-service',
    }
    const run = () => runTool(toolBin('claude'), ['-p', 'hello'], env, home)
    const first = await eventsOf(run)
    const second = await eventsOf(run)
    expect(sessionOf(first)).not.toBe(sessionOf(second))
    for (const e of [...first, ...second]) {
      expect(e).toMatchObject({ project: 'billing-service', clientTool: 'claude-code', status: 200 })
    }
  })
})

/** A Codex provider entry that sends the project header (docs/sessions.md copies its last two lines). */
const CODEX_CONFIG = `
model = "compat/mock-gpt"
model_provider = "switchyard"

[model_providers.switchyard]
name = "Switchyard"
base_url = "http://127.0.0.1:4141/v1"
env_key = "SWITCHYARD_API_KEY"
wire_api = "responses"
http_headers = { "x-switchyard-project" = "billing-service" }
`

describe('Codex', () => {
  it('names the project after the folder it runs in when no header names one', { timeout: 120_000 }, async () => {
    const home = join(dir.path, 'codex-plain')
    await mkdir(home, { recursive: true })
    const config = CODEX_CONFIG.replace(/^http_headers.*\n/m, '').replace('http://127.0.0.1:4141', gw.url)
    await writeFile(join(home, 'config.toml'), config)
    const folder = await projectFolder('ledger')
    const env = { HOME: home, CODEX_HOME: home, SWITCHYARD_API_KEY: 'sy-local-key' }
    const events = await eventsOf(() =>
      runTool(toolBin('codex'), ['exec', '--skip-git-repo-check', 'hello'], env, folder),
    )
    for (const e of events) expect(e).toMatchObject({ project: 'ledger', clientTool: 'codex' })
  })

  it('groups each run into its own session, in the project its http_headers name', { timeout: 120_000 }, async () => {
    const home = join(dir.path, 'codex')
    await mkdir(home, { recursive: true })
    await writeFile(join(home, 'config.toml'), CODEX_CONFIG.replace('http://127.0.0.1:4141', gw.url))
    const env = { HOME: home, CODEX_HOME: home, SWITCHYARD_API_KEY: 'sy-local-key' }
    const run = () => runTool(toolBin('codex'), ['exec', '--skip-git-repo-check', 'hello'], env, dir.path)
    const first = await eventsOf(run)
    const second = await eventsOf(run)
    expect(sessionOf(first)).not.toBe(sessionOf(second))
    for (const e of [...first, ...second]) {
      expect(e).toMatchObject({ project: 'billing-service', clientTool: 'codex', status: 200 })
    }
  })
})
