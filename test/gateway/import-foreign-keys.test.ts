import { afterEach, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

// Moving a setup to a second gateway (issue 17's first hour): a client key made in the first gateway's UI is
// exported as a reference to that gateway's secret store. The second gateway cannot resolve it, so taking it in
// would turn key auth on with a key that matches no caller, and stop the second gateway's next start.

const CONFIG = `
providers:
  local: { type: ollama, baseUrl: "http://127.0.0.1:1" }
`

const gateways: TestGateway[] = []
async function gateway(): Promise<TestGateway> {
  const gw = await startGateway(CONFIG)
  gateways.push(gw)
  return gw
}
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()))
})

const importYaml = (gw: TestGateway, text: string, apply: boolean) =>
  gw.admin(`/admin/v1/config/import${apply ? '?apply=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: text,
  })

it('leaves out, and names, a client key whose value stays with the gateway that made it', async () => {
  const first = await gateway()
  const made = await first.admin('/admin/v1/keys', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'laptop' }),
  })
  expect(made.status).toBe(201)
  const exported = await (await first.admin('/admin/v1/config/export')).text()
  expect(parseYaml(exported).keys).toEqual([expect.objectContaining({ key: '${secret:keys.laptop.key}' })])

  const second = await gateway()
  const dropped = [{ name: 'laptop', problem: '${secret:keys.laptop.key} is not set' }]
  const preview = await (await importYaml(second, exported, false)).json()
  expect(preview).toMatchObject({ valid: true, applied: false, changes: [], droppedKeys: dropped })

  const applied = await (await importYaml(second, exported, true)).json()
  expect(applied).toMatchObject({ valid: true, applied: true, droppedKeys: dropped, missingSecrets: [] })
  expect(parseYaml(await (await second.admin('/admin/v1/config/export')).text()).keys).toBeUndefined()
  // Still open to this machine, as before the import: no key that nobody can hold.
  expect((await fetch(`${second.url}/v1/models`)).status).toBe(200)

  // Back into the gateway that made it, the key resolves and stays.
  const roundTrip = await (await importYaml(first, exported, false)).json()
  expect(roundTrip).toEqual({ valid: true, errors: [], changes: [], applied: false })
})
