import { spawn } from 'node:child_process'
import { join } from 'node:path'

export interface SourceServe {
  /** The URL it printed once listening. */
  url: string
  /** The process id, for tests that watch its memory or must kill a process that no longer answers. */
  pid: number
  output(): string
  /** SIGTERM; resolves with the exit code once the process has written its last rows. */
  stop(): Promise<number | null>
  /** SIGKILL, for a process that may be stuck and no longer handle SIGTERM; resolves once it is gone. */
  kill(): Promise<number | null>
}

const root = join(import.meta.dirname, '..', '..')

/**
 * `switchyard serve` from source (tsx) on a free port, with `args` after `--data-dir`. Resolves once it
 * prints its URL; rejects with its output if it exits first. With `env`, the process gets exactly that
 * environment plus PATH (and HOME in the data folder), so nothing from the developer's own leaks in.
 */
export async function serveFromSource(
  dataDir: string,
  args: string[] = [],
  env?: Record<string, string>,
  /** How long it may take to print its URL: `serve --workers` compiles the sources once per worker first. */
  startMs = 30_000,
): Promise<SourceServe> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src-gateway/cli.ts'), 'serve', '--port', '0', '--data-dir', dataDir, ...args],
    {
      cwd: root,
      env: env && { PATH: process.env.PATH ?? '', HOME: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running for the rest of the suite (a `--workers` primary's workers follow it out).
      child.kill('SIGKILL')
      reject(new Error(`serve did not start:\n${out}`))
    }, startMs)
    child.stdout.on('data', (d: Buffer) => {
      out += d
      const m = /listening on (https?:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited ${code}:\n${out}`))
    })
  })
  return {
    url,
    pid: child.pid!,
    output: () => out,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      return exited
    },
  }
}
