import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storedAdminToken } from '../../src-gateway/api/edge/admin-token.js'
import { defaultSecretStore } from '../../src-gateway/config/secrets.js'
import { closeDatabase, openDatabase } from '../../src-gateway/store/db.js'

// `switchyard serve` on a data folder it cannot write: one line naming the folder and the fix (no stack),
// exit 1; and `--no-log` serves from it anyway. Permissions do not stop root, so as root the CLI runs without
// the two capabilities that let root past them (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH): a folder
// it owns with mode 0555 then stops it as it stops any owner. It stays root, so it reads the checkout wherever
// that is (another user could not enter a checkout under a mode-0700 folder such as mktemp's).

const root = join(import.meta.dirname, '..', '..')
const asRoot = process.getuid?.() === 0
const DAC = '-dac_override,-dac_read_search'
const launcher = asRoot
  ? ['setpriv', `--bounding-set=${DAC}`, `--inh-caps=${DAC}`, process.execPath]
  : [process.execPath]
const ADMIN_TOKEN = 'read-only-test-admin-token-0123456789'
let base: string

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'switchyard-ro-'))
})
afterAll(() => {
  rmSync(base, { recursive: true, force: true })
})

/** A data folder a gateway has run in (database, admin token, secret key). */
function usedDataDir(name: string): string {
  const dir = join(base, name)
  closeDatabase(openDatabase(dir))
  storedAdminToken(dir)
  defaultSecretStore(dir, {})
  return dir
}

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const home = join(base, 'home')
  mkdirSync(home, { recursive: true })
  const [command, ...prefix] = launcher
  const child = spawn(command, [...prefix, '--import', 'tsx', join(root, 'src-gateway/cli.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: home, SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => {
    out += d
  })
  child.stderr!.on('data', (d: Buffer) => {
    out += d
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    }),
  )
  Object.defineProperty(child, 'output', { get: () => out })
  return { child, done }
}

describe('serve on a data folder it cannot write', () => {
  it('says so in one line with the folder and the fix, and exits 1', async () => {
    const dir = usedDataDir('read-only')
    chmodSync(dir, 0o555)
    const { code, out } = await start(['serve', '--port', '0', '--data-dir', dir]).done
    expect(out).not.toMatch(/listening/)
    expect(out).not.toMatch(/\n\s+at |SqliteError/)
    expect(out.trim().split('\n')).toHaveLength(1)
    expect(out).toContain(`switchyard: cannot write to the data folder ${dir}`)
    expect(out).toContain('--no-log')
    expect(code).toBe(1)
  })

  it('names the database when SQLite cannot open it, without a stack', async () => {
    const dir = usedDataDir('not-a-database')
    writeFileSync(join(dir, 'switchyard.db'), 'this is not a database, and far longer than any header'.repeat(100))
    const { code, out } = await start(['serve', '--port', '0', '--data-dir', dir]).done
    expect(out).not.toMatch(/\n\s+at |SqliteError/)
    expect(out).toContain(`switchyard: cannot open the database ${join(dir, 'switchyard.db')}`)
    expect(out).toContain('--no-log')
    expect(code).toBe(1)
  })

  it('serves anyway with --no-log: logging is off, and the Logs API says so', async () => {
    const dir = usedDataDir('read-only-no-log')
    chmodSync(dir, 0o555)
    const serve = start(['serve', '--port', '0', '--data-dir', dir, '--no-log'])
    const output = () => (serve.child as unknown as { output: string }).output
    const until = Date.now() + 30_000
    while (!/listening on (\S+)/.test(output()) && serve.child.exitCode === null && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50))
    const url = /listening on (\S+)/.exec(output())?.[1]
    expect(url, output()).toBeDefined()
    expect(output()).toMatch(/request logging is off \(--no-log\)/)
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` }
    expect((await fetch(`${url}/health`)).status).toBe(200)
    const logs = await fetch(`${url}/admin/v1/logs`, { headers })
    expect(logs.status).toBe(503)
    expect(JSON.stringify(await logs.json())).toMatch(/request logging is off/)
    // What the UI reads to say so calmly instead of showing the 503.
    expect(await (await fetch(`${url}/admin/v1/info`, { headers })).json()).toMatchObject({ logging: false })
    serve.child.kill('SIGTERM')
    expect((await serve.done).code).toBe(0)
  })
})
