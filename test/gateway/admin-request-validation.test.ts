import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

/**
 * The admin scope checks each request against its contract schema with the gateway's own checker: a field a
 * closed schema does not name is refused (not silently dropped and "saved"), and every failure is the admin
 * API's 400, naming the field at fault, whichever part of the request it is in.
 */
describe('admin request validation', () => {
  let gw: TestGateway
  beforeAll(async () => {
    gw = await startGateway(
      [
        'providers: { local: { type: ollama, baseUrl: "http://127.0.0.1:9" } }',
        'routes: { fast: { targets: [ { model: local/a } ] } }',
        'keys: [ { name: ci, key: "${env:CI_KEY}" } ]',
      ].join('\n'),
      { CI_KEY: 'sy-ci-secret' },
    )
  })
  afterAll(() => gw.close())

  const send = (method: string, path: string, body?: unknown) =>
    gw.admin(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })

  it('refuses a field the schema does not name instead of dropping it', async () => {
    const res = await send('POST', '/admin/v1/alerts/1/ack', { note: 'seen' })
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({
      message: expect.stringContaining('note: is not a known field'),
      param: 'note',
      code: 'invalid_value',
    })
  })

  it('names the query field at fault, in the admin error format', async () => {
    const res = await send('GET', '/admin/v1/alerts?limit=many')
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({
      message: expect.stringContaining('query.limit: '),
      param: 'limit',
      code: 'invalid_value',
      type: 'invalid_request_error',
    })
  })

  it('still reads numbers and defaults from the query', async () => {
    const res = await send('GET', '/admin/v1/alerts?limit=2')
    expect(res.status).toBe(200)
  })

  it('checks a moved route (config import) the same way', async () => {
    const res = await send('POST', '/admin/v1/config/import?apply=maybe', { text: 'providers: {}\n' })
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({
      message: expect.stringContaining('query.apply: '),
      param: 'apply',
      code: 'invalid_value',
    })
  })

  it('refuses an ill-typed field of a moved route (settings) at its path', async () => {
    const res = await send('PUT', '/admin/v1/settings', { logs: { maxAgeDays: 'long' }, theme: 'dark' })
    expect(res.status).toBe(400)
    const { error } = await res.json()
    expect(error.message).toContain('logs.maxAgeDays: ')
    expect(error.message).toContain('theme: is not a known field')
    expect(error.code).toBe('invalid_value')
  })

  it("sets a registered policy's field on a key and a route, and names an unknown one at its path", async () => {
    const key = await send('PUT', '/admin/v1/keys/ci', { maxParallel: 2 })
    expect(key.status).toBe(200)
    const route = await send('PUT', '/admin/v1/routes/fast', { maxParallel: 3 })
    expect(route.status).toBe(200)
    expect(await route.json()).toMatchObject({ maxParallel: 3, targets: [{ model: 'local/a' }] })
    const bad = await send('PUT', '/admin/v1/keys/ci', { maxParalel: 2 })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatchObject({ param: 'maxParalel', message: 'maxParalel: is not a known field' })
    const badRoute = await send('PUT', '/admin/v1/routes/fast', { maxParallel: 0 })
    expect((await badRoute.json()).error).toMatchObject({ param: 'maxParallel', code: 'invalid_value' })
  })
})
