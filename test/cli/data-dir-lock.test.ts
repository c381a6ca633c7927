import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DataDirBusyError } from '../../src-gateway/backup/data-dir-lock.js'
import { createMemorySecretStore } from '../../src-gateway/config/secrets.js'
import { startGatewayHost } from '../../src-main/gateway-host.js'
import { nodeGatewayChild } from '../../src-main/node-child.js'
import { runCli } from '../helpers/run-cli.js'
import { type SourceServe, serveFromSource } from '../helpers/serve-source.js'

// A running gateway holds DATA_DIR/gateway.lock: offline restore and import --apply, and a second serve,
// refuse that folder instead of writing under the gateway (whose prompt list dropped to 0 after a restore).

const CONFIG = 'providers:\n  local: { type: ollama, baseUrl: "http://127.0.0.1:1" }\n'

const dirs: string[] = []
const serves: SourceServe[] = []
afterEach(async () => {
  await Promise.all(serves.splice(0).map((s) => s.stop()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-lock-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'config.yaml'), CONFIG)
  return dir
}

describe('the data dir lock', () => {
  it('refuses restore, import --apply and a second serve while serve runs; releases on exit', {
    timeout: 120_000,
  }, async () => {
    const dir = dataDir()
    const backupFile = join(dir, 'before.json')
    expect((await runCli(['backup', '--out', backupFile, '--data-dir', dir])).code).toBe(0)
    const exportFile = join(dir, 'setup.yaml')
    writeFileSync(exportFile, CONFIG)

    const gw = await serveFromSource(dir)
    serves.push(gw)
    const [restore, importApply, preview, second] = await Promise.all([
      runCli(['restore', backupFile, '--data-dir', dir]),
      runCli(['import', exportFile, '--apply', '--data-dir', dir]),
      runCli(['import', exportFile, '--data-dir', dir]),
      runCli(['serve', '--port', '0', '--data-dir', dir], 20_000),
    ])
    expect(restore.code).toBe(1)
    expect(restore.stderr).toBe(
      `switchyard: a gateway (pid ${gw.pid}) is using ${dir}: stop it first, or restore through the UI/admin API\n`,
    )
    expect(importApply.code).toBe(1)
    expect(importApply.stderr).toContain(`a gateway (pid ${gw.pid}) is using ${dir}: stop it first, or import through`)
    // Reading is fine: a preview writes nothing.
    expect(preview.code, preview.stderr).toBe(0)
    expect(second.code).toBe(1)
    expect(second.stderr).toContain(`another gateway (pid ${gw.pid}) is using ${dir}`)
    expect(second.stdout).not.toContain('listening')
    const lock = join(dir, 'gateway.lock')
    expect(readFileSync(lock, 'utf8').trim()).toBe(String(gw.pid))

    expect(await gw.stop()).toBe(0)
    serves.splice(0)
    expect(existsSync(lock)).toBe(false)
    const after = await runCli(['restore', backupFile, '--data-dir', dir])
    expect(after.code, after.stderr).toBe(0)
  })

  it('ignores a stale lock whose process is gone', { timeout: 60_000 }, async () => {
    const dir = dataDir()
    const gone = spawnSync(process.execPath, ['-e', '0']).pid
    writeFileSync(join(dir, 'gateway.lock'), `${gone}\n`)
    const file = join(dir, 'b.json')
    expect((await runCli(['backup', '--out', file, '--data-dir', dir])).code).toBe(0)
    const restore = await runCli(['restore', file, '--data-dir', dir])
    expect(restore.code, restore.stderr).toBe(0)
    const gw = await serveFromSource(dir)
    serves.push(gw)
    expect(readFileSync(join(dir, 'gateway.lock'), 'utf8').trim()).toBe(String(gw.pid))
  })

  it("the desktop app's gateway refuses a folder `serve` holds, and leaves serve's lock in place", {
    timeout: 60_000,
  }, async () => {
    const dir = dataDir()
    const gw = await serveFromSource(dir)
    serves.push(gw)
    const started = startGatewayHost({ dataDir: dir, secrets: createMemorySecretStore(), spawn: nodeGatewayChild() })
    await expect(started).rejects.toThrow(DataDirBusyError)
    await expect(started).rejects.toThrow(`another gateway (pid ${gw.pid}) is using ${dir}`)
    expect(readFileSync(join(dir, 'gateway.lock'), 'utf8').trim()).toBe(String(gw.pid))
  })
})
