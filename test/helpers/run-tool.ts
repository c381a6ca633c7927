import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ToolRun {
  code: number | null
  stdout: string
  stderr: string
}

/** The installed CLI of a devDependency (node_modules/.bin). */
export function toolBin(name: string): string {
  return join(import.meta.dirname, '../../node_modules/.bin', name)
}

/**
 * Runs a CLI to completion with exactly the environment given (plus PATH), stdin closed, so nothing from
 * the developer's own setup (keys, config, HOME) leaks in. Killed after `timeoutMs`.
 */
export function runTool(bin: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs = 60_000) {
  return new Promise<ToolRun>((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
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
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** A fresh temporary folder, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}
