import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createSseParser } from '../../src-gateway/core/sse.js'
import { buildGateway } from '../../src-gateway/server.js'
import { ListPageSchema } from '../../src-shared/contract/common.js'
import {
  DatasetPreviewSchema,
  ReplayStartedSchema,
  RunCancelledSchema,
  RunDiffSchema,
  RunListItemSchema,
  type RunSnapshot,
  RunSnapshotSchema,
  SideBySideEventSchema,
} from '../../src-shared/contract/compare.js'
import { DiscoveryAnswerSchema } from '../../src-shared/contract/discovery.js'
import { FeedbackBodySchema } from '../../src-shared/contract/feedback.js'
import { LogDetailSchema, type LogPage, LogPageSchema } from '../../src-shared/contract/logs.js'
import { type ModelsAnswer, ModelsAnswerSchema } from '../../src-shared/contract/models.js'
import { ModelPricingSchema } from '../../src-shared/contract/pricing.js'
import {
  ArmStatsSchema,
  LabelMoveSchema,
  PromptDetailSchema,
  PromptDiffSchema,
  PromptLabelSchema,
  PromptRenderSchema,
  PromptSavedSchema,
  PromptSummarySchema,
  PromptVersionSchema,
} from '../../src-shared/contract/prompts.js'
import { OverviewResultSchema, StatsResultSchema } from '../../src-shared/contract/stats.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

/**
 * The renderer is typed by src-shared/contract; these answers of the prompt library, comparisons, request log and
 * reports, taken from a gateway doing real work, must be what the contract's schemas state, so that the two
 * cannot drift apart.
 */
let mock: RunningMock
let app: FastifyInstance
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-contract-answers-'))

beforeAll(async () => {
  mock = await startMockUpstream()
  const config = parseConfig(
    `
providers:
  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: "sk-test" }
pricing:
  mock/gpt-a: { input: 1000, output: 2000 }
routes:
  fast: { strategy: cheapest, targets: [{ model: mock/gpt-a }] }
prompts:
  greet:
    model: mock/gpt-a
    messages: [{ role: user, content: "Say hello to {{name}}" }]
`,
    'yaml',
  )
  app = buildGateway(config, { webRoot: false, dataDir: dir })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function admin(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) {
  const res = await app.inject({ method, url, headers: adminHeadersOf(app), payload: body as object | undefined })
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300)
  return JSON.parse(res.body) as unknown
}

/** The value's problems against the schema: none, or the list names each field at fault. */
function conforms(schema: TSchema, value: unknown): void {
  expect([...Compile(schema).Errors(value)].map((e) => `${e.instancePath}: ${e.message}`)).toEqual([])
}

async function finished(id: number): Promise<RunSnapshot> {
  for (let i = 0; i < 400; i++) {
    const run = (await admin('GET', `/admin/v1/compare/runs/${id}`)) as RunSnapshot
    if (!run.isActive) return run
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`run ${id} did not finish`)
}

describe('admin answers keep to the contract', () => {
  it('prompt library: list, detail, save, diff, labels, history and render', async () => {
    const P = '/admin/v1/prompts/greet'
    conforms(ListPageSchema(PromptSummarySchema), await admin('GET', '/admin/v1/prompts'))
    conforms(PromptDetailSchema, await admin('GET', P))
    conforms(
      PromptSavedSchema,
      await admin('POST', `${P}/versions`, {
        messages: [{ role: 'user', content: 'Say hi to {{name}}' }],
        params: { temperature: 0 },
        note: 'shorter',
      }),
    )
    conforms(ListPageSchema(PromptVersionSchema), await admin('GET', `${P}/versions`))
    conforms(PromptDiffSchema, await admin('GET', `${P}/diff?from=1&to=2`))
    conforms(
      PromptLabelSchema,
      await admin('PUT', `${P}/labels/prod`, {
        split: [
          { version: 1, weight: 1 },
          { version: 2, weight: 1 },
        ],
      }),
    )
    conforms(ListPageSchema(LabelMoveSchema), await admin('GET', `${P}/label-history`))
    conforms(PromptRenderSchema, await admin('POST', `${P}/render`, { label: 'prod', variables: { name: 'Ada' } }))
  })

  it('comparisons: dataset preview, matrix, runs list, rerun, diff, cancel, feedback, arm stats and replay', async () => {
    conforms(
      DatasetPreviewSchema,
      await admin('POST', '/admin/v1/compare/dataset', { format: 'csv', text: 'name\nAda\n' }),
    )
    const started = await admin('POST', '/admin/v1/compare/runs', {
      prompts: [{ name: 'greet', version: 1 }],
      models: ['mock/gpt-a'],
      dataset: { rows: [{ name: 'Ada' }, { name: 'Bo' }] },
      assertions: [{ type: 'contains', value: 'Ada' }],
    })
    conforms(RunSnapshotSchema, started)
    const run = await finished((started as RunSnapshot).id)
    conforms(RunSnapshotSchema, run)
    expect(run.cells.map((c) => c.status)).toEqual(['done', 'done'])
    conforms(ListPageSchema(RunListItemSchema), await admin('GET', '/admin/v1/compare/runs'))

    const rerun = (await admin('POST', `/admin/v1/compare/runs/${run.id}/rerun`, { failuresOnly: true })) as RunSnapshot
    conforms(RunSnapshotSchema, rerun)
    await finished(rerun.id)
    conforms(RunDiffSchema, await admin('GET', `/admin/v1/compare/runs/${rerun.id}/diff?against=${run.id}`))
    conforms(RunCancelledSchema, await admin('POST', `/admin/v1/compare/runs/${rerun.id}/cancel`))

    const requestId = run.cells[0].requestId
    conforms(FeedbackBodySchema, await admin('POST', '/admin/v1/feedback', { requestId, rating: 'up' }))
    const rated = await finished(run.id)
    expect(rated.cells[0].rating).toBe('up')
    conforms(RunSnapshotSchema, rated)

    // The matrix's cells were calls of the prompt: they have arm stats now.
    const stats = (await admin('GET', '/admin/v1/prompts/greet/stats')) as { items: unknown[] }
    expect(stats.items.length).toBeGreaterThan(0)
    conforms(ListPageSchema(ArmStatsSchema), stats)

    const replay = await admin('POST', '/admin/v1/compare/replay', { models: ['mock/gpt-a'], limit: 2 })
    conforms(ReplayStartedSchema, replay)
    conforms(RunSnapshotSchema, await finished((replay as RunSnapshot).id))
  })

  it('side by side: every event of the stream', async () => {
    const res = await fetch(`${url}/admin/v1/compare`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeadersOf(app) },
      body: JSON.stringify({ models: ['mock/gpt-a', 'fast'], messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(200)
    const parser = createSseParser()
    const events: unknown[] = []
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      for (const f of parser.push(Buffer.from(chunk))) events.push({ event: f.event, data: JSON.parse(f.data) })
    }
    expect(new Set(events.map((e) => (e as { event: string }).event))).toEqual(
      new Set(['run', 'cell', 'delta', 'done', 'end']),
    )
    for (const e of events) conforms(SideBySideEventSchema, e)
  })

  it('request log and dashboard reports: a page, a row with its bodies, stats and the Overview', async () => {
    const call = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'mock/gpt-a', messages: [{ role: 'user', content: 'hi' }] },
    })
    expect(call.statusCode).toBe(200)
    app.requestLog.flush()
    const page = (await admin('GET', '/admin/v1/logs?limit=5')) as LogPage
    expect(page.items.length).toBeGreaterThan(0)
    conforms(LogPageSchema, page)
    conforms(LogDetailSchema, await admin('GET', `/admin/v1/logs/${page.items[0].id}`))
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&bucket=5m`
    conforms(StatsResultSchema, await admin('GET', `/admin/v1/stats?${range}&groupBy=model`))
    conforms(OverviewResultSchema, await admin('GET', `/admin/v1/stats/overview?${range}&groupBy=key`))
  })

  it("model list, local-server scan and a model's prices", async () => {
    const models = (await admin('GET', '/admin/v1/models')) as ModelsAnswer
    expect(models.items.map((m) => m.route)).toContain(true)
    expect(models.items.map((m) => m.route)).toContain(false)
    conforms(ModelsAnswerSchema, models)
    conforms(DiscoveryAnswerSchema, await admin('GET', '/admin/v1/providers/discovered'))
    conforms(ModelPricingSchema, await admin('GET', '/admin/v1/pricing?model=mock/gpt-a'))
  })
})
