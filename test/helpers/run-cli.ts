import { spawn } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * `switchyard ARGS` from source (tsx), as a user runs it; resolves when it exits, or after `timeoutMs`
 * with the process killed (code null): a command expected to refuse must not hang the test if it runs.
 */
export function runCli(args: string[], timeoutMs = 30_000): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src-gateway/cli.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}
