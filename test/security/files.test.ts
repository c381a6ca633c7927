import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'

// What the gateway keeps on disk (prompts, answers, keys, the admin token) is readable by its user only.

const dirs: string[] = []
let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)

it('creates the data dir 0700 and its database, WAL, backups and admin token 0600', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'switchyard-files-'))
  dirs.push(parent)
  const dataDir = join(parent, 'data')
  app = buildGateway(parseConfig('providers: {}', 'yaml', {}), { webRoot: false, dataDir })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const backup = await fetch(`${url}/admin/v1/backups`, {
    method: 'POST',
    headers: { ...adminHeadersOf(app), 'content-type': 'application/json' },
    body: '{}',
  })
  expect(backup.status).toBe(201)
  const { id } = (await backup.json()) as { id: string }

  expect(mode(dataDir)).toBe('700')
  for (const file of ['switchyard.db', 'switchyard.db-wal', 'switchyard.db-shm', 'admin-token']) {
    expect([file, mode(join(dataDir, file))]).toEqual([file, '600'])
  }
  expect(mode(join(dataDir, 'backups'))).toBe('700')
  expect(mode(join(dataDir, 'backups', `${id}.json`))).toBe('600')
})

it('tightens a database an older version left readable by others', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-files-'))
  dirs.push(dataDir)
  app = buildGateway(parseConfig('providers: {}', 'yaml', {}), { webRoot: false, dataDir })
  await app.close()
  chmodSync(join(dataDir, 'switchyard.db'), 0o644)
  app = buildGateway(parseConfig('providers: {}', 'yaml', {}), { webRoot: false, dataDir })
  expect(mode(join(dataDir, 'switchyard.db'))).toBe('600')
})

it('tightens the default data dir that Electron or an older version made readable by others', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-files-'))
  dirs.push(dataDir)
  chmodSync(dataDir, 0o755)
  const before = process.env.SWITCHYARD_DATA_DIR
  process.env.SWITCHYARD_DATA_DIR = dataDir
  try {
    app = buildGateway(parseConfig('providers: {}', 'yaml', {}), { webRoot: false, dataDir })
  } finally {
    if (before === undefined) delete process.env.SWITCHYARD_DATA_DIR
    else process.env.SWITCHYARD_DATA_DIR = before
  }
  expect(mode(dataDir)).toBe('700')
})
