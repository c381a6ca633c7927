import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createMemorySecretStore } from '../../src-gateway/config/secrets.js'
import { type RunningGateway, runGateway } from '../../src-gateway/host/run-gateway.js'
import { type RunningMock, startScriptedUpstream } from '../helpers/upstreams.js'

// The desktop app's gateway reports today's requests and cost for the tray from the stats report itself
// (issue 18: no in-process HTTP call to /admin/v1/stats).

let upstream: RunningMock
let gateway: RunningGateway | undefined
const dir = mkdtempSync(join(tmpdir(), 'switchyard-run-gateway-'))

beforeAll(async () => {
  upstream = await startScriptedUpstream({
    'POST /v1/chat/completions': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 },
        }),
      )
    },
  })
  writeFileSync(
    join(dir, 'config.yaml'),
    `providers:\n  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [m] }\npricing:\n  up/m: { input: 1, output: 2 }\n`,
  )
  gateway = await runGateway({ dataDir: dir, ports: [], paused: false, secrets: createMemorySecretStore() })
})
afterAll(async () => {
  await gateway?.close()
  await upstream?.stop()
  rmSync(dir, { recursive: true, force: true })
})

it("reports today's requests and cost from the stats report", async () => {
  const gw = gateway!
  expect(await gw.status()).toMatchObject({ requestsToday: 0, costTodayUsd: 0, paused: false })
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${gw.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/m', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(200)
  }
  // Rows reach the database in the log writer's next batch.
  let status = await gw.status()
  for (let i = 0; i < 200 && status.requestsToday !== 2; i++) {
    await new Promise((r) => setTimeout(r, 50))
    status = await gw.status()
  }
  // 1000 input tokens at $1/M and 500 output at $2/M, twice.
  expect(status).toMatchObject({ requestsToday: 2, baseUrl: gw.baseUrl })
  expect(status.costTodayUsd).toBeCloseTo(0.004, 10)
})
