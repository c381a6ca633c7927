import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll } from 'vitest'
import type { PgPool } from '../../src-gateway/store/pg/pool.js'

const run = promisify(execFile)

export interface PostgresServer {
  /** `postgres://switchyard:<password>@127.0.0.1:PORT/switchyard`: a database of its own, a password login. */
  readonly url: string
  readonly port: number
  /** Stops the server as a crash would (immediate shutdown) after a checkpoint; the port and the data stay. */
  pause(): Promise<void>
  /** Starts it again on the same port with its data (crash recovery runs); resolves once it accepts connections. */
  resume(): Promise<void>
  /** Stops it and removes its folder. */
  stop(): Promise<void>
}

/**
 * Debian's PostgreSQL binaries (`/usr/lib/postgresql/<major>/bin`, newest major first; POSTGRES_BIN overrides);
 * CI installs the package (.ci/run). A missing server fails the test that needs it.
 */
function binDir(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => existsSync(join(root, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (majors.length === 0) throw new Error(`no PostgreSQL found in ${root}/*/bin (install the postgresql package)`)
  return join(root, majors[0], 'bin')
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user the Debian package creates. */
const asRoot = process.getuid?.() === 0

function tool(
  bin: string,
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  const exe = join(bin, name)
  const opts = { timeout: 60_000, env: { ...process.env, ...env } }
  return asRoot ? run('runuser', ['-u', 'postgres', '--', exe, ...args], opts) : run(exe, args, opts)
}

/**
 * A throwaway PostgreSQL on a free port of 127.0.0.1, its data and socket in a temp folder, durability off (fsync,
 * synchronous_commit, full_page_writes: a test's data need not survive a power cut): what the tests of the shared
 * request log start, one per test file. Logins need the password (scram-sha-256), as in production.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir()
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pg-'))
  const data = join(dir, 'data')
  const password = randomBytes(12).toString('hex')
  const pwfile = join(dir, 'pw')
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 })
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    chownSync(dir, Number(stdout), Number(gid))
    chownSync(pwfile, Number(stdout), Number(gid))
  }
  chmodSync(dir, 0o700)
  const port = await freePort()
  const options = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ')
  const start = () =>
    tool(bin, 'pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start'])
  const halt = (mode: 'fast' | 'immediate') =>
    tool(bin, 'pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']).then(
      () => undefined,
      () => undefined,
    )
  let running = false
  try {
    await tool(bin, 'initdb', [
      '-D',
      data,
      '-U',
      'switchyard',
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
    ])
    await start()
    running = true
    await tool(bin, 'createdb', ['-h', dir, '-p', String(port), '-U', 'switchyard', 'switchyard'], {
      PGPASSWORD: password,
    })
  } catch (err) {
    if (running) await halt('immediate')
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    url: `postgres://switchyard:${password}@127.0.0.1:${port}/switchyard`,
    port,
    async pause() {
      if (!running) return
      running = false
      // synchronous_commit=off acknowledges a commit before its WAL is written: a CHECKPOINT first, so a crash-like
      // stop loses nothing a client was told was committed (a real server with synchronous_commit on would not).
      await tool(bin, 'psql', ['-h', dir, '-p', String(port), '-U', 'switchyard', '-c', 'CHECKPOINT', 'switchyard'], {
        PGPASSWORD: password,
      }).catch(() => undefined)
      await halt('immediate')
    },
    async resume() {
      if (running) return
      await start()
      running = true
    },
    async stop() {
      if (running) await halt('fast')
      running = false
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Every row of every table in `db`'s public schema, as JSON text (bytea as hex) after its table's name: what a scan for a planted secret reads. */
export async function everyRow(db: PgPool): Promise<string> {
  const tables = await db.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
  )
  const out: string[] = []
  for (const { name } of tables) {
    const rows = await db.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM "${name}" t`)
    out.push(name, ...rows.map((r) => r.j))
  }
  return out.join('\n')
}

/**
 * One throwaway server for the calling test file: started in its beforeAll, stopped in its afterAll. The answer stands
 * for that server once it runs: read it inside tests and hooks, not while the file is being collected.
 */
export function postgresForFile(): PostgresServer {
  let server: PostgresServer | undefined
  const started = () => {
    if (!server) throw new Error('Postgres is not started yet')
    return server
  }
  beforeAll(async () => {
    server = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })
  return {
    get url() {
      return started().url
    },
    get port() {
      return started().port
    },
    pause: () => started().pause(),
    resume: () => started().resume(),
    stop: () => started().stop(),
  }
}
