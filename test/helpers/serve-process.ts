import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ServeProcess {
  baseUrl: string
  dataDir: string
  stop(): Promise<void>
}

const root = join(import.meta.dirname, '..', '..')

/**
 * Starts the built headless gateway (`dist/gateway/cli.js serve`) on a free port with a fresh data
 * folder, the way a user runs it, and resolves once it prints its URL.
 */
export async function startServe(configYaml?: string): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-'))
  const args = [join(root, 'dist/gateway/cli.js'), 'serve', '--port', '0', '--data-dir', dataDir]
  if (configYaml !== undefined) {
    const configPath = join(dataDir, 'test-config.yaml')
    writeFileSync(configPath, configYaml)
    args.push('--config', configPath)
  }
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 15_000)
    child.stdout!.on('data', (d: Buffer) => {
      output += d
      const m = /Switchyard listening on (http:\/\/\S+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.stderr!.on('data', (d: Buffer) => {
      output += d
    })
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${output}`)))
  })
  return {
    baseUrl,
    dataDir,
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
