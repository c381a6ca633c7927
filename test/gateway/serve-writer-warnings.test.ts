import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHAT_COMPLETION, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 23: with the disk full, serve printed the log writer's warnings as bare `(node:PID) Warning: …` lines.
// They now say whose they are: one when writes start failing, one at shutdown with the rows it lost.

const root = join(import.meta.dirname, '..', '..')
let up: Awaited<ReturnType<typeof startScriptedUpstream>>
let dataDir: string

beforeAll(async () => {
  up = await startScriptedUpstream({ 'POST /v1/chat/completions': (_req, res) => sendJson(res, 200, CHAT_COMPLETION) })
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-writer-warnings-'))
})
afterAll(async () => {
  await up.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('serve on a disk that fills up', () => {
  it('prints each log writer warning once, named SwitchyardLogWriter', async () => {
    const configPath = join(dataDir, 'config.yaml')
    writeFileSync(configPath, `providers:\n  up: { type: openai-compatible, baseUrl: "${up.url}/v1" }\n`)
    // A file size limit stands in for a full disk: SQLite's writes past it fail with EFBIG (Node ignores SIGXFSZ).
    const child = spawn(
      'bash',
      [
        '-c',
        'ulimit -f 2048 && exec "$@"',
        'bash',
        process.execPath,
        '--import',
        'tsx',
        join(root, 'src-gateway/cli.ts'),
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--config',
        configPath,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d
    })
    const exited = once(child, 'exit')
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000)
        child.stdout.on('data', () => {
          const m = /Switchyard listening on (\S+)/.exec(out)
          if (m) {
            clearTimeout(timer)
            resolve(m[1])
          }
        })
      })
      // 1 MB bodies: stored up to 256 KB each, the log's files reach the 2 MB limit within a few calls.
      const content = 'x'.repeat(1024 * 1024)
      for (let i = 0; i < 16; i++) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'up/m', messages: [{ role: 'user', content }] }),
        })
        expect(res.status).toBe(200)
        await new Promise((r) => setTimeout(r, 150))
      }
      await expect.poll(() => out, { timeout: 10_000 }).toMatch(/writes are failing/)
    } finally {
      child.kill('SIGTERM')
      await exited
    }
    const lines = out.split('\n').filter((l) => l.includes('request log'))
    expect(lines.filter((l) => l.includes('writes are failing'))).toHaveLength(1)
    expect(lines.filter((l) => l.includes('could not be written at shutdown'))).toHaveLength(1)
    for (const line of lines.filter((l) => l.startsWith('(node:'))) {
      expect(line).toMatch(/^\(node:\d+\) SwitchyardLogWriter: request log: /)
    }
    // Node's advice to rerun with --trace-warnings comes under the first warning of the process only.
    expect(out.match(/--trace-warnings/g) ?? []).toHaveLength(1)
  }, 60_000)
})
