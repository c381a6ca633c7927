import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { tempDir } from '../helpers/run-tool.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'
import { DOCS_GATEWAY_YAML } from './config-block.js'
import { DOCS_URL } from './shell-rules.js'

const run = promisify(execFile)

export interface DocsGateway {
  /** Runs a docs curl command as written, aimed at this gateway; the body it printed and the status. */
  curl(command: string): Promise<{ status: number; body: string }>
  close(): Promise<void>
}

/**
 * The gateway the docs' curl examples talk to: docs-gateway.yaml with the mock upstream behind every
 * provider, a data folder of its own (backups, prompts), and the state the docs assume: prompt `greet`
 * labelled `production`. Commands run in one shell folder, so a file one writes (`-o`) the next can send.
 */
export async function startDocsGateway(): Promise<DocsGateway> {
  const mock: RunningMock = await startMockUpstream()
  const data = await tempDir('switchyard-docs-')
  const home = join(data.path, 'home')
  let app: FastifyInstance | undefined
  try {
    const config = parseConfig(DOCS_GATEWAY_YAML.replaceAll('http://mock.invalid', mock.url), 'yaml', {})
    app = buildGateway(config, { webRoot: false, dataDir: join(data.path, 'data') })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const adminToken = app.adminToken
    const label = await app.inject({
      method: 'PUT',
      url: '/admin/v1/prompts/greet/labels/production',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: { version: 1 },
    })
    if (label.statusCode !== 200) throw new Error(`labelling greet failed: ${label.body}`)
    // Where the docs tell a Linux user to read the token from.
    await mkdir(join(home, '.config/Switchyard'), { recursive: true })
    await writeFile(join(home, '.config/Switchyard/admin-token'), adminToken)
    await mkdir(join(home, 'work'))
    // The variables the docs' commands use (and SWITCHYARD_KEY, per command); `set -u` makes any other
    // one an error, not an empty string.
    const env = { PATH: process.env.PATH ?? '', HOME: home, SWITCHYARD_ADMIN_TOKEN: adminToken }
    const gateway = app
    const asAdmin = (method: 'POST' | 'DELETE', path: string, payload?: object) =>
      gateway.inject({ method, url: `/admin/v1${path}`, headers: { authorization: `Bearer ${adminToken}` }, payload })
    const runShell = async (command: string, key?: string) => {
      const script = `set -u; ${command.replaceAll(DOCS_URL, url)} -s -w '\\n%{http_code}'`
      const { stdout } = await run('sh', ['-c', script], {
        env: key ? { ...env, SWITCHYARD_KEY: key } : env,
        cwd: join(home, 'work'),
        timeout: 10_000,
      })
      const cut = stdout.lastIndexOf('\n')
      return { body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) }
    }
    return {
      async curl(command) {
        if (!/\$\{?SWITCHYARD_KEY\b/.test(command)) return runShell(command)
        // A client-key example gets a real key, created for it and revoked after: a key left behind
        // would close the model API to every keyless example that follows.
        const created = await asAdmin('POST', '/keys', { name: 'docs-example' })
        if (created.statusCode !== 201) throw new Error(`creating the example's key failed: ${created.body}`)
        try {
          return await runShell(command, created.json().key)
        } finally {
          await asAdmin('DELETE', '/keys/docs-example')
        }
      },
      async close() {
        await gateway.close()
        await mock.stop()
        await data.remove()
      },
    }
  } catch (err) {
    await app?.close()
    await mock.stop()
    await data.remove()
    throw err
  }
}
