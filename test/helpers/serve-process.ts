import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ServeProcess {
  /** The running gateway's address; the same after `restart()`. */
  readonly baseUrl: string
  dataDir: string
  /** The gateway's admin token, read from `DATA_DIR/admin-token` as a user would. */
  readonly adminToken: string
  /** `Authorization: Bearer <admin token>` for the tests' own calls to the admin API. */
  readonly adminHeaders: Record<string, string>
  /**
   * The one-time sign-in link `serve` printed, the first time it is asked for; null afterwards (the link
   * works once, so later sign-ins go through the sign-in page with the token). A restart prints a new one.
   * In team mode with no owner yet, it is the `/setup?token=…` link; with one, the plain address.
   */
  takeLoginUrl(): string | null
  /**
   * Stops the gateway (SIGTERM, as a user's Ctrl+C) and starts it again with the same arguments on the
   * same data folder and port, as a user restarting it would; resolves once it is ready again.
   */
  restart(): Promise<void>
  /**
   * Sends `signal` (SIGKILL: a crash, nothing flushed) and resolves once the process is gone; the data folder
   * stays for the test to read, and `stop()` still removes it.
   */
  kill(signal: NodeJS.Signals): Promise<void>
  /** Stops the gateway and removes its data folder. */
  stop(): Promise<void>
}

const root = join(import.meta.dirname, '..', '..')

/** The token `serve` keeps in its data folder, as the sign-in page tells the user to find it. */
async function readAdminToken(dataDir: string): Promise<string> {
  const file = join(dataDir, 'admin-token')
  for (let waited = 0; !existsSync(file); waited += 50) {
    if (waited > 3000) throw new Error(`serve started but wrote no ${file}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return readFileSync(file, 'utf8').trim()
}

interface Launched {
  child: ChildProcess
  baseUrl: string
  loginUrl: string
  adminToken: string
}

/** Spawns `serve` with `args` and resolves once it printed its URL and sign-in link; kills it if it never does. */
async function launch(
  args: string[],
  dataDir: string,
  extraEnv: Record<string, string>,
  startMs: number,
): Promise<Launched> {
  // The token comes from the data folder, never from this process's environment.
  const { SWITCHYARD_ADMIN_TOKEN: _ignored, ...env } = process.env
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, ...extraEnv },
  })
  let output = ''
  const started = new Promise<{ baseUrl: string; loginUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), startMs)
    child.stdout!.on('data', (d: Buffer) => {
      output += d
      const listening = /Switchyard listening on (https?:\/\/\S+)/.exec(output)
      // Team mode without an owner prints the one-time setup link in its place.
      const signIn = /(?:Sign in to the web UI|Set up the team's first owner): (https?:\/\/\S+)/.exec(output)
      if (listening && signIn) {
        clearTimeout(timer)
        resolve({ baseUrl: listening[1], loginUrl: signIn[1] })
      }
    })
    child.stderr!.on('data', (d: Buffer) => {
      output += d
    })
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${output}`)))
  })
  try {
    const urls = await started
    return { child, ...urls, adminToken: await readAdminToken(dataDir) }
  } catch (err) {
    // A gateway that never got ready is not left running for the rest of the suite.
    child.kill('SIGTERM')
    throw err
  }
}

/** Sends `signal` (SIGTERM by default), and resolves once the process has exited (at once if it has already). */
function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

export interface ServeOptions {
  /** Added to the process's environment, e.g. SWITCHYARD_SECRET_KEY (never SWITCHYARD_ADMIN_TOKEN: see `adminToken`). */
  env?: Record<string, string>
  /**
   * Written to `DATA_DIR/admin-token` before the first start, as an operator would place it, so several gateways
   * share one admin token; without it, `serve` makes its own.
   */
  adminToken?: string
  /**
   * Runs `src-gateway/cli.ts` through tsx instead of the built `dist/`: for vitest files, which run before (and
   * without) the headless build, so they always exercise the working tree's code.
   */
  fromSource?: boolean
}

/**
 * Starts the built headless gateway (`dist/gateway/cli.js serve`, or the sources with `fromSource`) on a free port with a fresh data
 * folder, the way a user runs it, and resolves once it prints its URL and its sign-in link. Without
 * `configYaml`, no `--config` is given: the newcomer's state, with the config kept in the data folder.
 * `serveArgs` are further `serve` options, e.g. `--no-log`.
 */
export async function startServe(
  configYaml?: string,
  serveArgs: string[] = [],
  options: ServeOptions = {},
): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-'))
  const extraEnv = options.env ?? {}
  // tsx compiles the gateway before it answers: seconds more on a busy machine.
  const startMs = options.fromSource ? 45_000 : 15_000
  if (options.adminToken !== undefined)
    writeFileSync(join(dataDir, 'admin-token'), `${options.adminToken}\n`, { mode: 0o600 })
  const cli = options.fromSource
    ? ['--import', 'tsx', join(root, 'src-gateway/cli.ts')]
    : [join(root, 'dist/gateway/cli.js')]
  const args = [...cli, 'serve', '--data-dir', dataDir, ...serveArgs]
  if (configYaml !== undefined) {
    const configPath = join(dataDir, 'test-config.yaml')
    writeFileSync(configPath, configYaml)
    args.push('--config', configPath)
  }
  let current = await launch([...args, '--port', '0'], dataDir, extraEnv, startMs).catch((err) => {
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  })
  // A restart binds the port the first start got, so open pages and clients keep their address.
  const port = new URL(current.baseUrl).port
  let unusedLoginUrl: string | null = current.loginUrl
  return {
    get baseUrl() {
      return current.baseUrl
    },
    dataDir,
    get adminToken() {
      return current.adminToken
    },
    get adminHeaders() {
      return { authorization: `Bearer ${current.adminToken}` }
    },
    takeLoginUrl() {
      const url = unusedLoginUrl
      unusedLoginUrl = null
      return url
    },
    async restart() {
      await terminate(current.child)
      current = await launch([...args, '--port', port], dataDir, extraEnv, startMs)
      unusedLoginUrl = current.loginUrl
    },
    kill(signal) {
      return terminate(current.child, signal)
    },
    async stop() {
      await terminate(current.child)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
