import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { listVersions, saveVersion } from '../../src-gateway/prompts/prompt-store.js'
import { closeDatabase, openDatabase } from '../../src-gateway/store/db.js'
import { runCli } from '../helpers/run-cli.js'

// `switchyard export` from one data dir and `switchyard import` into another carry a whole setup, prompts included.

const CONFIG = `
providers:
  local: { type: ollama, baseUrl: "http://127.0.0.1:1" }
  team: { type: openai, apiKey: "\${env:TEAM_OPENAI_KEY}" }
routes:
  fast: { targets: [{ model: local/llama3.2 }] }
`
const GREET = {
  model: 'fast',
  messages: [{ role: 'user' as const, content: 'Say hello to {{name}}' }],
  params: { temperature: 0.2 },
}

const dirs: string[] = []
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function withDb<T>(dir: string, use: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase(dir)
  try {
    return use(db)
  } finally {
    closeDatabase(db)
  }
}

describe('switchyard export and import', () => {
  it('round-trips the config and the prompts into a second data dir, previewing first', {
    timeout: 90_000,
  }, async () => {
    const a = dataDir()
    writeFileSync(join(a, 'config.yaml'), CONFIG)
    withDb(a, (db) => {
      saveVersion(db, 'greet', { messages: [{ role: 'user', content: 'old' }] })
      saveVersion(db, 'greet', GREET)
    })
    const file = join(a, 'setup.yaml')
    const exported = await runCli(['export', '--include', 'prompts', '--out', file, '--data-dir', a])
    expect(exported.code, exported.stderr).toBe(0)
    const doc = parseYaml(readFileSync(file, 'utf8'))
    expect(doc.providers.team.apiKey).toBe('${env:TEAM_OPENAI_KEY}')
    expect(doc.prompts).toEqual({ greet: GREET })
    const toStdout = await runCli(['export', '--format', 'json', '--data-dir', a])
    expect(JSON.parse(toStdout.stdout).routes.fast).toEqual({ targets: [{ model: 'local/llama3.2' }] })

    const b = dataDir()
    const preview = await runCli(['import', file, '--data-dir', b])
    expect(preview.code, preview.stderr).toBe(0)
    expect(preview.stdout).toContain('+ providers.team')
    expect(preview.stdout).toContain('Prompts: 1 new (greet)')
    expect(preview.stdout).toContain('--apply')
    expect(() => readFileSync(join(b, 'config.yaml'))).toThrow()

    const applied = await runCli(['import', file, '--apply', '--data-dir', b])
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stdout).toContain('Applied.')
    const written = parseYaml(readFileSync(join(b, 'config.yaml'), 'utf8'))
    expect(written.providers).toEqual(doc.providers)
    expect(written.routes).toEqual(doc.routes)
    // The prompts went into the library; the config keeps its own (here: no) prompts section.
    expect(written.prompts).toBeUndefined()
    withDb(b, (db) => expect(listVersions(db, 'greet', { limit: 10 }).items.map((v) => v.content)).toEqual([GREET]))

    const again = await runCli(['import', file, '--apply', '--data-dir', b])
    expect(again.stdout).toContain('Config: no changes.')
    expect(again.stdout).toContain('1 unchanged')
    withDb(b, (db) => expect(listVersions(db, 'greet', { limit: 10 }).items).toHaveLength(1))
  })

  it('reports an invalid file and exits 1 without writing', { timeout: 30_000 }, async () => {
    const b = dataDir()
    const file = join(b, 'bad.yaml')
    writeFileSync(file, 'providers:\n  x: { type: bogus }\n')
    const empty = join(b, 'empty.yaml')
    writeFileSync(empty, '\n')
    const [run, emptyRun] = await Promise.all([
      runCli(['import', file, '--apply', '--data-dir', b]),
      runCli(['import', empty, '--apply', '--data-dir', b]),
    ])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('/providers/x/type')
    expect(emptyRun.code).toBe(1)
    expect(emptyRun.stdout).toContain('the file is empty')
    expect(() => readFileSync(join(b, 'config.yaml'))).toThrow()
  })
})
