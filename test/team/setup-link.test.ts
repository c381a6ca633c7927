import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { serveFromSource } from '../helpers/serve-source.js'
import { OWNER } from './team-helpers.js'

// `switchyard serve` in team mode with no owner prints the one-time setup link (never the admin token), and the link
// creates the first owner once.
it('prints the setup link, which creates the first owner once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-team-serve-'))
  const config = join(dataDir, 'config.yaml')
  writeFileSync(config, 'discovery: { enabled: false }\nauth: { mode: team }\n')
  const serve = await serveFromSource(dataDir, ['--config', config], {})
  try {
    await expect.poll(() => serve.output(), { timeout: 10_000 }).toMatch(/Set up the team's first owner: /)
    const line = serve
      .output()
      .split('\n')
      .find((l) => l.startsWith("Set up the team's first owner: ")) as string
    const link = new URL(line.slice("Set up the team's first owner: ".length))
    expect(`${link.origin}${link.pathname}`).toBe(`${serve.url}/setup`)
    expect(serve.output()).not.toContain(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim())

    const setup = (email: string) =>
      fetch(`${serve.url}/auth/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...OWNER, email, token: link.searchParams.get('token') }),
      })
    expect((await setup(OWNER.email)).status).toBe(204)
    expect((await setup('second@example.com')).status).toBe(401)
  } finally {
    await serve.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}, 60_000)
