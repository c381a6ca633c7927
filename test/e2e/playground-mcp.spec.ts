import { createRequire } from 'node:module'
import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'
import { type RecordedRequest, type RunningMock, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams'

// A person tries a model with real tools in the Playground: server-everything over stdio behind the hub, and a
// scripted model that calls `everything__echo` when it is offered, then answers with what the tool returned.
// The person switches the tool on, sends a message, confirms the call, and reads the answer built on the result;
// a second call in the same chat is asked about again (it was allowed once) and denied, and the model is told so.

const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js')
const MODEL = 'tool-gpt'
const MESSAGE = 'hello from the playground'

interface ChatBody {
  model: string
  tools?: { type: string; function: { name: string; parameters: Record<string, unknown> } }[]
  messages: { role: string; content: unknown; tool_call_id?: string }[]
}

let upstream: RunningMock & { requests: RecordedRequest[] }
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })
test.setTimeout(90_000)
failOnConsoleErrors()

const chatRequests = () =>
  upstream.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as ChatBody)

test.beforeAll(async () => {
  upstream = await startScriptedUpstream({
    'GET /v1/models': (_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model' }] }),
    'POST /v1/chat/completions': (req, res) => {
      const body = req.body as ChatBody
      const base = { id: 'chatcmpl-tools', created: 1, model: body.model, object: 'chat.completion.chunk' }
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`
      const usage = { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 }
      const last = body.messages[body.messages.length - 1]
      if (last.role === 'tool') {
        // The tool's answer came back: the model answers with it.
        sendSse(res, [
          chunk({ role: 'assistant', content: `The tool said: ${String(last.content)}` }, null),
          chunk({}, 'stop', { usage }),
          'data: [DONE]\n\n',
        ])
        return
      }
      if (!body.tools?.some((t) => t.function.name === 'everything__echo')) {
        sendSse(res, [chunk({ role: 'assistant', content: 'No tools were offered.' }, 'stop'), 'data: [DONE]\n\n'])
        return
      }
      // A call streamed as OpenAI streams one: id and name first, then the arguments in two pieces.
      const args = JSON.stringify({ message: MESSAGE })
      const call = (piece: object) => chunk({ tool_calls: [{ index: 0, ...piece }] }, null)
      sendSse(res, [
        chunk({ role: 'assistant', content: null }, null),
        call({
          id: `call_${chatRequests().length}`,
          type: 'function',
          function: { name: 'everything__echo', arguments: '' },
        }),
        call({ function: { arguments: args.slice(0, 10) } }),
        call({ function: { arguments: args.slice(10) } }),
        chunk({}, 'tool_calls', { usage }),
        'data: [DONE]\n\n',
      ])
    },
  })
  gateway = await startServe(`
providers:
  lab: { type: openai-compatible, baseUrl: "${upstream.url}/v1" }
mcp:
  servers:
    everything: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING)}, stdio] }
discovery: { enabled: false }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await upstream?.stop()
})

test('the model calls an MCP tool, the person confirms it, and the answer uses its result', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/playground`)
  await expect(page.getByLabel('Model or route')).toHaveValue(`lab/${MODEL}`)

  // The hub starts server-everything in the background; the Tools list shows it once it is ready.
  const server = page.locator('[data-testid="pg-tools-server"][data-server="everything"]')
  await expect(server).toBeVisible({ timeout: 30_000 })
  await server.getByText('Choose tools').click()
  await server.getByRole('checkbox', { name: 'echo', exact: true }).check()
  await expect(server.getByRole('checkbox', { name: /All tools of everything \(1\/\d+\)/ })).not.toBeChecked()

  await page.getByLabel('Message', { exact: true }).fill('Please echo something')
  await page.getByRole('button', { name: 'Send' }).click()

  // The call is shown with its arguments and waits for the person.
  const call = page.getByTestId('pg-tool-call').first()
  await expect(call).toHaveAttribute('data-state', 'asking')
  await expect(call).toHaveAttribute('data-tool', 'everything__echo')
  await expect(call.getByTestId('pg-tool-arguments')).toContainText(`"message": "${MESSAGE}"`)
  await expect(call.getByRole('group', { name: /Run this tool\?/ })).toBeVisible()
  await shot(page, 'playground-tool-confirm')
  // The model was offered the tool as a function with the tool's own input schema.
  const offered = chatRequests()[0].tools ?? []
  expect(offered.map((t) => t.function.name)).toEqual(['everything__echo'])
  expect(offered[0].function.parameters).toMatchObject({ type: 'object', properties: { message: { type: 'string' } } })

  await call.getByRole('button', { name: 'Allow once' }).click()
  await expect(call).toHaveAttribute('data-state', 'done')
  await expect(call.getByTestId('pg-tool-result')).toHaveText(`Echo: ${MESSAGE}`)
  const answer = page.getByTestId('pg-reply').last()
  await expect(answer).toContainText(`The tool said: Echo: ${MESSAGE}`)
  await expect(answer).toHaveAttribute('data-state', 'done')
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible()
  // The result went back to the model as a tool message answering the call.
  expect(chatRequests()[1].messages.at(-1)).toEqual({
    role: 'tool',
    tool_call_id: 'call_1',
    content: `Echo: ${MESSAGE}`,
  })
  await shot(page, 'playground-tool-answer')

  // The call is in the request log as a tool call made by the Playground.
  const mcpRows = async () => {
    const res = await fetch(`${gateway.baseUrl}/admin/v1/logs?kind=mcp`, { headers: gateway.adminHeaders })
    const rows = (await res.json()).items as { requestedModel: string; clientTool: string; status: number }[]
    return rows.map((r) => [r.requestedModel, r.clientTool, r.status])
  }
  // Log rows are written in batches.
  await expect.poll(mcpRows, { timeout: 10_000 }).toEqual([['everything__echo', 'playground', 200]])

  // Allowed once: the next call in this chat is asked about again; denied, the model hears that.
  await page.getByLabel('Message', { exact: true }).fill('Once more')
  await page.getByRole('button', { name: 'Send' }).click()
  const second = page.getByTestId('pg-tool-call').nth(1)
  await expect(second).toHaveAttribute('data-state', 'asking')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'playground-tool-confirm-dark')
  await second.getByRole('button', { name: 'Deny' }).click()
  await expect(second).toHaveAttribute('data-state', 'denied')
  await expect(page.getByTestId('pg-reply').last()).toContainText('The tool said: The user denied this tool call.')
  await shot(page, 'playground-tool-answer-dark')
})
