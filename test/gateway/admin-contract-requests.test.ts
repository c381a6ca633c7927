import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GatewayInfoSchema } from '../../src-shared/contract/info.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

/**
 * The prompt library, comparisons, logs, stats and feedback take their requests as src-shared/contract states
 * them: each part is checked by the admin scope's checker, so every refusal is the admin API's 400 naming the
 * field (`invalid_value`), where the hand validators and Fastify's own answered in their own words.
 */
describe('prompt, comparison, log, stats and feedback requests', () => {
  let gw: TestGateway
  beforeAll(async () => {
    gw = await startGateway(`
providers:
  mock: { type: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-test" }
prompts:
  greet:
    model: mock/gpt-a
    messages: [{ role: user, content: "Say hello to {{name}}" }]
`)
  })
  afterAll(() => gw.close())

  const send = async (method: string, path: string, body?: unknown) => {
    const res = await gw.admin(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, json: await res.json() }
  }

  const refused: [string, string, unknown, { message: string; param: string }][] = [
    [
      'POST',
      '/admin/v1/compare/runs',
      { models: ['mock/a'], messages: [{ role: 'user', content: 'hi' }], extra: 1 },
      { message: 'extra: is not a known field', param: 'extra' },
    ],
    ['POST', '/admin/v1/compare', { models: [] }, { message: 'models: ', param: 'models' }],
    [
      'POST',
      '/admin/v1/compare/replay',
      { models: ['mock/a'], filter: { status: 'teapot' } },
      { message: 'filter.status: ', param: 'filter.status' },
    ],
    ['POST', '/admin/v1/compare/dataset', { format: 'xlsx', text: '' }, { message: 'format: ', param: 'format' }],
    ['POST', '/admin/v1/compare/runs/1/rerun', { failuresOnly: 'yes' }, { message: 'body: ', param: '' }],
    ['POST', '/admin/v1/feedback', { requestId: 'req-1', rating: 'meh' }, { message: 'rating: ', param: 'rating' }],
    [
      'POST',
      '/admin/v1/prompts/greet/versions',
      { messages: [{ role: 'robot', content: 'x' }] },
      { message: 'messages.0.role: ', param: 'messages.0.role' },
    ],
    [
      'POST',
      '/admin/v1/prompts/greet/render',
      { variables: { name: 'Ada' }, version: 0 },
      { message: 'version: ', param: 'version' },
    ],
    ['PUT', '/admin/v1/prompts/greet/labels/prod', { split: [] }, { message: 'body: ', param: '' }],
    ['GET', '/admin/v1/logs?limit=0', undefined, { message: 'query.limit: ', param: 'limit' }],
    ['GET', '/admin/v1/logs/export?format=xml', undefined, { message: 'query.format: ', param: 'format' }],
    ['GET', '/admin/v1/logs/first', undefined, { message: 'path.id: ', param: 'id' }],
    ['GET', '/admin/v1/stats?bucket=week', undefined, { message: 'query.bucket: ', param: 'bucket' }],
    ['GET', '/admin/v1/stats/overview?groupBy=route', undefined, { message: 'query.groupBy: ', param: 'groupBy' }],
    ['GET', '/admin/v1/compare/runs?kind=race', undefined, { message: 'query.kind: ', param: 'kind' }],
    ['GET', '/admin/v1/compare/runs/1/diff', undefined, { message: 'query.against: ', param: 'against' }],
    ['GET', '/admin/v1/compare/runs/1/export?format=pdf', undefined, { message: 'query.format: ', param: 'format' }],
    [
      'GET',
      '/admin/v1/info?verbose=1',
      undefined,
      { message: 'query.verbose: is not a known field', param: 'verbose' },
    ],
  ]

  it.each(refused)('%s %s: 400 naming the field', async (method, path, body, error) => {
    const res = await send(method, path, body)
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_value',
      message: expect.stringContaining(error.message),
      ...(error.param ? { param: error.param } : {}),
    })
  })

  it('takes what the UI sends: no body on an action, null ratings, defaults from the contract', async () => {
    // A rerun without a body is checked as none, and reaches the handler (no such run).
    const rerun = await send('POST', '/admin/v1/compare/runs/99/rerun')
    expect(rerun).toMatchObject({ status: 404, json: { error: { code: 'run_not_found' } } })
    const cancel = await send('POST', '/admin/v1/compare/runs/99/cancel')
    expect(cancel).toMatchObject({ status: 404, json: { error: { code: 'run_not_found' } } })

    expect(await send('POST', '/admin/v1/feedback', { requestId: 'req-1', rating: null })).toEqual({
      status: 200,
      json: { requestId: 'req-1', rating: null },
    })
    const preview = await send('POST', '/admin/v1/compare/dataset', { format: 'csv', text: 'name,city\nAda,Paris\n' })
    expect(preview).toMatchObject({ status: 200, json: { columns: ['name', 'city'], total: 1 } })

    const saved = await send('POST', '/admin/v1/prompts/greet/versions', {
      messages: [{ role: 'user', content: 'Say hi to {{name}}' }],
      note: 'shorter',
    })
    expect(saved).toMatchObject({ status: 201, json: { created: true, version: { version: 2, note: 'shorter' } } })
    // A union body (one version, or a split) is checked as a whole, not stripped branch by branch.
    const split = {
      split: [
        { version: 1, weight: 0 },
        { version: 2, weight: 1 },
      ],
    }
    const label = await send('PUT', '/admin/v1/prompts/greet/labels/prod', split)
    expect(label).toMatchObject({ status: 200, json: { label: 'prod', target: split } })
    const rendered = await send('POST', '/admin/v1/prompts/greet/render', { variables: { name: 'Ada' }, label: 'prod' })
    expect(rendered).toMatchObject({
      status: 200,
      json: { version: 2, variables: ['name'], messages: [{ role: 'user', content: 'Say hi to Ada' }], missing: [] },
    })
    // Without a database the stats say why (503), after their query (bucket's default) was accepted.
    expect(await send('GET', '/admin/v1/stats/overview')).toMatchObject({
      status: 503,
      json: { error: { code: 'storage_unavailable' } },
    })
  })

  it('answers GET /admin/v1/info as the contract states it', async () => {
    const res = await send('GET', '/admin/v1/info')
    expect(res.status).toBe(200)
    expect([...Compile(GatewayInfoSchema).Errors(res.json)]).toEqual([])
    expect(res.json).toMatchObject({ logging: false, providers: [{ id: 'mock', hasApiKey: true, local: false }] })
  })
})
