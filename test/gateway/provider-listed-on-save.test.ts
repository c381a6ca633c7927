import { afterEach, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RunningMock, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// A provider added (or changed) in the UI is shown from the admin API's answer and the list read right after
// it: both carry its models, not "0 models, not checked yet" until a later reload (issue 17's first hour).

let gw: TestGateway | undefined
let upstream: RunningMock | undefined
afterEach(async () => {
  await gw?.close()
  await upstream?.stop()
})

it('answers a provider create and update with the models the server lists', async () => {
  upstream = await startScriptedUpstream({
    'GET /v1/models': (_req, res) =>
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-a' }, { id: 'gpt-b' }].map((m) => ({ ...m, object: 'model' })),
      }),
  })
  gw = await startGateway('providers: {}\n')
  const save = (method: 'POST' | 'PUT', path: string, body: object) =>
    gw!.admin(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  const created = await save('POST', '/admin/v1/providers', {
    id: 'lab',
    type: 'openai-compatible',
    baseUrl: `${upstream.url}/v1`,
  })
  expect(created.status).toBe(201)
  expect(await created.json()).toMatchObject({ modelCount: 2, models: ['gpt-a', 'gpt-b'], health: 'ok' })

  // A changed provider is a new one to the catalog: its old listing is dropped, and the answer waits for the next.
  const updated = await save('PUT', '/admin/v1/providers/lab', {
    type: 'openai-compatible',
    baseUrl: `${upstream.url}/v1`,
    models: ['gpt-c'],
  })
  expect(await updated.json()).toMatchObject({ modelCount: 3, models: ['gpt-c', 'gpt-a', 'gpt-b'], health: 'ok' })
})
