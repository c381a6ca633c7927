import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ServeProcess {
  baseUrl: string
  dataDir: string
  /** The gateway's admin token, read from `DATA_DIR/admin-token` as a user would. */
  adminToken: string
  /** `Authorization: Bearer <admin token>` for the tests' own calls to the admin API. */
  adminHeaders: Record<string, string>
  /**
   * The one-time sign-in link `serve` printed, the first time it is asked for; null afterwards (the link
   * works once, so later sign-ins go through the sign-in page with the token).
   */
  takeLoginUrl(): string | null
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

/**
 * Starts the built headless gateway (`dist/gateway/cli.js serve`) on a free port with a fresh data
 * folder, the way a user runs it, and resolves once it prints its URL and its sign-in link.
 */
export async function startServe(configYaml?: string): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-'))
  const args = [join(root, 'dist/gateway/cli.js'), 'serve', '--port', '0', '--data-dir', dataDir]
  if (configYaml !== undefined) {
    const configPath = join(dataDir, 'test-config.yaml')
    writeFileSync(configPath, configYaml)
    args.push('--config', configPath)
  }
  // The token comes from the data folder, never from this process's environment.
  const { SWITCHYARD_ADMIN_TOKEN: _ignored, ...env } = process.env
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
  let output = ''
  const started = new Promise<{ baseUrl: string; loginUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 15_000)
    child.stdout!.on('data', (d: Buffer) => {
      output += d
      const listening = /Switchyard listening on (https?:\/\/\S+)/.exec(output)
      const signIn = /Sign in to the web UI: (https?:\/\/\S+)/.exec(output)
      if (listening && signIn) {
        clearTimeout(timer)
        resolve({ baseUrl: listening[1], loginUrl: signIn[1] })
      }
    })
    child.stderr!.on('data', (d: Buffer) => {
      output += d
    })
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${output}`)))
  }).then(async (urls) => ({ ...urls, adminToken: await readAdminToken(dataDir) }))
  const { baseUrl, loginUrl, adminToken } = await started.catch((err) => {
    // A gateway that never got ready is not left running for the rest of the suite.
    child.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  })
  let unusedLoginUrl: string | null = loginUrl
  return {
    baseUrl,
    dataDir,
    adminToken,
    adminHeaders: { authorization: `Bearer ${adminToken}` },
    takeLoginUrl() {
      const url = unusedLoginUrl
      unusedLoginUrl = null
      return url
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(dataDir, { recursive: true, force: true })
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}
