import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` (with `:password@` when started with one). */
  readonly url: string
  readonly port: number
  /** Stops the process (SIGKILL: as abrupt as a crash or a network cut); the port stays this server's. */
  pause(): Promise<void>
  /** Starts it again on the same port, empty (nothing is persisted); resolves once it accepts connections. */
  resume(): Promise<void>
  /** Stops it and removes its folder. */
  stop(): Promise<void>
}

/** Debian's redis-server package; CI installs it (.ci/run). A missing server fails the test that needs it. */
const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'

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

function launch(port: number, dir: string, password: string | undefined): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]
  if (password !== undefined) args.push('--requirepass', password)
  const child = spawn(REDIS_SERVER, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`redis-server did not start:\n${output}`))
    }, 10_000)
    const seen = (d: Buffer) => {
      output += d
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout!.on('data', seen)
    child.stderr!.on('data', seen)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}:\n${output}`))
    })
  })
}

function terminate(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

/**
 * A throwaway Redis on a free port of 127.0.0.1, in a temp folder, persisting nothing: what the scale-out
 * tests share between gateway instances. `password` sets `requirepass`.
 */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined
  try {
    child = await launch(port, dir, options.password)
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    async pause() {
      await terminate(child, 'SIGKILL')
      child = undefined
    },
    async resume() {
      if (child) return
      child = await launch(port, dir, options.password)
    },
    async stop() {
      await terminate(child, 'SIGTERM')
      child = undefined
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
