import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AGENT_MODELS, type AgentUpstream, startAgentUpstream } from '../helpers/agent-script.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { runTool, tempDir, toolBin } from '../helpers/run-tool.js'

// Issue 19: a local model's window is small, and Claude Code does not know it (it assumes 1M tokens for a model
// it does not recognise). The gateway knows it, and answers a prompt that has outgrown it with Anthropic's
// "prompt is too long: N tokens > M maximum", the answer Claude Code compacts its conversation on: the session
// goes on instead of failing, and the over-long prompt never reaches the model.

let up: AgentUpstream
let gw: TestGateway
let home: Awaited<ReturnType<typeof tempDir>>

/** About 8k tokens: the tool result that makes the second run's prompt outgrow the snug window. */
const LONG_FILE = `${Array.from({ length: 800 }, (_, i) => `line ${i}: lorem ipsum dolor sit amet`).join('\n')}
The code word is PERIWINKLE-42.
`
const ANSWER = 'The code word is PERIWINKLE-42.'
const REMEMBERED = 'The user asked for the code word in long.txt, which is PERIWINKLE-42.'
const AFTER_SUMMARY = 'From the summary: PERIWINKLE-42.'

beforeAll(async () => {
  home = await tempDir('switchyard-claude-compact-')
  const file = join(home.path, 'long.txt')
  await writeFile(file, LONG_FILE)
  up = await startAgentUpstream({
    toolCall: (offered) => (offered.includes('Read') ? { name: 'Read', arguments: { file_path: file } } : undefined),
    expect: 'PERIWINKLE-42',
    answer: ANSWER,
    compaction: {
      // Claude Code 2.1's summary prompt ends asking for these two blocks.
      asks: /an <analysis> block followed by a <summary> block/,
      reply: `<analysis>A code word was asked for.</analysis>\n<summary>${REMEMBERED}</summary>`,
      remembered: REMEMBERED,
      answer: AFTER_SUMMARY,
    },
  })
  // Claude Code's own prompt (system, tools) is about 11k tokens: the snug window fits it, and a summary, but
  // not the long file's result on top.
  gw = await startGateway(`
providers:${up.providersYaml}
routes:
  roomy:
    targets:
      - { model: local/${AGENT_MODELS.fields} }
  snug:
    targets:
      - { model: local/${AGENT_MODELS.fields}, contextWindow: 15000 }
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

it('a session that outgrows the window is compacted by Claude Code and goes on', { timeout: 120_000 }, async () => {
  const session = randomUUID()
  const claude = (model: string, args: string[]) => runTool(toolBin('claude'), args, claudeEnv(model), home.path)
  // Run 1, on a roomy route: the file is read into the conversation.
  const first = await claude('roomy', [
    '-p',
    'What is the code word in long.txt?',
    '--allowedTools',
    'Read',
    '--session-id',
    session,
  ])
  expect(first.code, first.stderr).toBe(0)
  expect(first.stdout.trim()).toBe(ANSWER)

  // Run 2 resumes the session on the snug route, where the conversation no longer fits.
  const turn = up.turns.length
  const before = gw.events.length
  const second = await claude('snug', ['-p', 'Say the code word again.', '--resume', session])
  expect(second.code, second.stdout + second.stderr).toBe(0)
  expect(second.stdout.trim()).toBe(AFTER_SUMMARY)
  // The model saw only what fits: Claude Code's summary request, then the compacted conversation.
  expect(up.turns.slice(turn).filter((t) => t.kind !== 'side')).toEqual([
    expect.objectContaining({ kind: 'summary' }),
    expect.objectContaining({ kind: 'after-summary' }),
  ])
  // Each model call is logged, and so is each refusal (at least one).
  const events = (await waitForEvents(gw, before + (up.turns.length - turn) + 1)).slice(before)
  const refused = events.filter((e) => e.status === 400)
  expect(refused.length).toBeGreaterThan(0)
  for (const e of refused) expect(e.error).toMatch(/^prompt is too long: \d+ tokens > 15000 maximum$/)
  expect(events.at(-1)).toMatchObject({ status: 200, sessionId: session })
})
