import { beforeEach, expect, it } from 'vitest'
import { type DatabaseHandle, forEachDatabase } from '../../../test/helpers/database-backends.js'
import { Alerts } from '../../alerts/alerts.js'
import type { LogEvent } from '../../core/log-event.js'
import { type CompareStore, RUN_LEASE_MS, sqliteCompareStore } from '../../prompts/compare-store.js'
import type { RunColumn, RunSpec } from '../../prompts/compare-types.js'
import { type FeedbackStore, sqliteFeedbackStore } from '../../prompts/feedback-store.js'
import { type PromptStore, sqlitePromptStore } from '../../prompts/prompt-store.js'
import { pgCompareStore } from './compare-store.js'
import { pgFeedbackStore } from './feedback-store.js'
import { pgLifecycle } from './lifecycle.js'
import { pgPromptStore } from './prompt-store.js'
import { PROMPT_TABLES } from './schema-prompts.js'

// The prompt library, feedback and comparison runs: one body for SQLite and Postgres (decision S6), so the SQLite
// behaviour holds on Postgres; two instances on one database (S5) save, label and sweep runs without stepping on
// each other.

const TABLES = [...PROMPT_TABLES, 'request_logs']

interface Stores {
  prompts: PromptStore
  feedback: FeedbackStore
  runs: CompareStore
}

function storesOf(h: DatabaseHandle, clock: () => number = Date.now): Stores {
  return h.kind === 'sqlite'
    ? { prompts: sqlitePromptStore(h.db), feedback: sqliteFeedbackStore(h.db), runs: sqliteCompareStore(h.db) }
    : { prompts: pgPromptStore(h.pg), feedback: pgFeedbackStore(h.pg), runs: pgCompareStore(h.pg, clock) }
}

const content = (text: string, model = 'mock/m') => ({ model, messages: [{ role: 'user' as const, content: text }] })

const spec: RunSpec = { kind: 'matrix', name: 'nightly', assertions: [] }
const columns: RunColumn[] = [
  { model: 'a', label: 'a' },
  { model: 'b', label: 'b' },
]

forEachDatabase('prompt library, feedback and runs', (backend) => {
  let s: Stores
  beforeEach(async () => {
    await backend.reset(TABLES)
    s = storesOf(backend.handle)
  })

  it('saves versions, skips identical content, pages versions and lists prompts by name, label and workspace', async () => {
    const first = await s.prompts.saveVersion('greet', content('Hi {{name}}'), { note: 'first', author: 'ann' })
    expect(first.created).toBe(true)
    expect(first.version).toMatchObject({
      name: 'greet',
      version: 1,
      note: 'first',
      author: 'ann',
      variables: ['name'],
    })
    expect((await s.prompts.saveVersion('greet', content('Hi {{name}}'))).created).toBe(false)
    await s.prompts.saveVersion('greet', content('Hello {{name}}'), { author: 'config' })
    await s.prompts.saveVersion('greet', content('Hey {{name}}'))
    await s.prompts.saveVersion('100%_done', content('x', 'other/m'), { workspace: 'research' })

    expect((await s.prompts.latestVersion('greet'))?.version).toBe(3)
    expect((await s.prompts.latestVersionBy('greet', 'config'))?.version).toBe(2)
    expect(await s.prompts.latestVersion('nope')).toBeNull()
    expect(await s.prompts.workspaceOf('100%_done')).toBe('research')
    expect(await s.prompts.workspaceOf('nope')).toBeNull()
    expect((await s.prompts.getVersion('greet', 1))?.content).toEqual(content('Hi {{name}}'))
    await expect(s.prompts.requireVersion('greet', 9)).rejects.toMatchObject({
      opts: { code: 'prompt_version_not_found' },
    })
    await expect(s.prompts.requireVersion('nope', 1)).rejects.toMatchObject({ opts: { code: 'prompt_not_found' } })

    const page1 = await s.prompts.listVersions('greet', { limit: 2 })
    expect(page1.items.map((v) => v.version)).toEqual([3, 2])
    expect(page1).toMatchObject({ total: 3, nextCursor: '2' })
    const page2 = await s.prompts.listVersions('greet', { limit: 2, cursor: 2 })
    expect(page2.items.map((v) => v.version)).toEqual([1])
    expect(page2.nextCursor).toBeNull()

    // `%` and `_` in the search are literal characters, not patterns.
    expect((await s.prompts.listPrompts({ q: '%', limit: 10 })).items.map((p) => p.name)).toEqual(['100%_done'])
    expect((await s.prompts.listPrompts({ q: 'e', limit: 10 })).items.map((p) => p.name)).toEqual([
      '100%_done',
      'greet',
    ])
    const list = await s.prompts.listPrompts({ limit: 1 })
    expect(list).toMatchObject({ total: 2, nextCursor: '1' })
    expect((await s.prompts.listPrompts({ workspaces: ['research'], limit: 10 })).items).toMatchObject([
      { name: '100%_done', latestVersion: 1, model: 'other/m', workspace: 'research' },
    ])
    expect((await s.prompts.listPrompts({ workspaces: [], limit: 10 })).total).toBe(0)
    expect(await s.prompts.names()).toEqual([
      { name: '100%_done', workspace: 'research' },
      { name: 'greet', workspace: 'default' },
    ])

    await s.prompts.deletePrompt('100%_done')
    await expect(s.prompts.deletePrompt('100%_done')).rejects.toMatchObject({ opts: { code: 'prompt_not_found' } })
    expect(await s.prompts.getSummary('100%_done')).toBeNull()
  })

  it('points labels at versions and splits, records each move once, and refuses bad targets', async () => {
    for (const t of ['a', 'b', 'c']) await s.prompts.saveVersion('greet', content(t))
    await s.prompts.setLabel('greet', 'prod', { version: 1 })
    await s.prompts.setLabel('greet', 'prod', { version: 1 })
    await s.prompts.setLabel('greet', 'prod', { version: 2 })
    await s.prompts.setLabel('greet', 'ab', {
      split: [
        { version: 2, weight: 1 },
        { version: 3, weight: 1 },
      ],
    })
    await expect(s.prompts.setLabel('greet', 'latest', { version: 1 })).rejects.toMatchObject({
      kind: 'invalid_request',
    })
    await expect(s.prompts.setLabel('greet', 'prod', { version: 7 })).rejects.toMatchObject({
      opts: { code: 'prompt_version_not_found' },
    })
    await expect(s.prompts.setLabel('nope', 'prod', { version: 1 })).rejects.toMatchObject({
      opts: { code: 'prompt_not_found' },
    })
    expect((await s.prompts.listLabels('greet')).map((l) => l.label)).toEqual(['ab', 'prod'])
    expect((await s.prompts.getLabel('greet', 'prod'))?.target).toEqual({ version: 2 })
    expect((await s.prompts.getSummary('greet'))?.labels.map((l) => l.label)).toEqual(['ab', 'prod'])
    expect((await s.prompts.listPrompts({ label: 'ab', limit: 5 })).total).toBe(1)

    await s.prompts.deleteLabel('greet', 'ab')
    await expect(s.prompts.deleteLabel('greet', 'ab')).rejects.toMatchObject({ opts: { code: 'label_not_found' } })
    await expect(s.prompts.deleteLabel('nope', 'ab')).rejects.toMatchObject({ opts: { code: 'label_not_found' } })
    const history = await s.prompts.labelHistory('greet')
    expect(history.map((m) => [m.label, m.from, m.to])).toEqual([
      ['ab', { split: expect.any(Array) }, null],
      ['ab', null, { split: expect.any(Array) }],
      ['prod', { version: 1 }, { version: 2 }],
      ['prod', null, { version: 1 }],
    ])
  })

  it('two instances saving and moving labels of one prompt at once take turns', async () => {
    const other = storesOf(await backend.another())
    const saves = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? other : s).prompts.saveVersion('shared', content(`text ${i}`), { workspace: 'default' }),
    )
    const saved = await Promise.all(saves)
    expect(saved.every((r) => r.created)).toBe(true)
    expect(saved.map((r) => r.version.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    )

    const moves = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? other : s).prompts.setLabel('shared', 'prod', { version: (i % 12) + 1 }),
    )
    await Promise.all(moves)
    // Every move saw the one before it: each `from` is the previous move's `to`, oldest first.
    const history = (await s.prompts.labelHistory('shared')).reverse()
    expect(history).toHaveLength(12)
    expect(history[0].from).toBeNull()
    for (let i = 1; i < history.length; i++) expect(history[i].from).toEqual(history[i - 1].to)
    expect((await other.prompts.getLabel('shared', 'prod'))?.target).toEqual(history[11].to)
  })

  it('imports entries in one go: new, changed and unchanged prompts, each moved to its workspace', async () => {
    await s.prompts.saveVersion('same', content('same'))
    await s.prompts.saveVersion('changed', content('old'), { workspace: 'research' })
    const plan = await s.prompts.importEntries(
      [
        { name: 'fresh', workspace: 'default', content: content('new') },
        { name: 'same', workspace: 'default', content: content('same') },
        { name: 'changed', workspace: 'default', note: 'moved', content: content('newer') },
      ],
      'import',
    )
    expect(plan).toEqual({ created: ['fresh'], updated: ['changed'], unchanged: ['same'] })
    expect(await s.prompts.latestVersion('changed')).toMatchObject({ version: 2, note: 'moved', author: 'import' })
    expect(await s.prompts.workspaceOf('changed')).toBe('default')
    expect((await s.prompts.latestVersion('same'))?.version).toBe(1)
  })

  it('dumps the library as a backup holds it and restores it whole, ids and history included', async () => {
    await s.prompts.saveVersion('b-prompt', content('one'), { note: 'n', author: 'ann' })
    await s.prompts.saveVersion('b-prompt', content('two'))
    await s.prompts.setLabel('b-prompt', 'prod', { version: 2 })
    await s.prompts.saveVersion('a-prompt', content('x'))
    const dump = await s.prompts.dump()
    expect(dump.map((p) => [p.id, p.name, p.versions.map((v) => v.version), p.labels.map((l) => l.label)])).toEqual([
      [1, 'b-prompt', [1, 2], ['prod']],
      [2, 'a-prompt', [1], []],
    ])
    expect(dump[0].labelMoves).toMatchObject([{ label: 'prod', from: null, to: { version: 2 } }])

    await s.prompts.deletePrompt('a-prompt')
    await s.prompts.saveVersion('c-prompt', content('later'))
    await s.prompts.restore(dump)
    expect(await s.prompts.dump()).toEqual(dump)
    // New ids continue after the restored ones.
    const next = await s.prompts.saveVersion('d-prompt', content('new'))
    expect(next.version.id).toBeGreaterThan(Math.max(...dump.flatMap((p) => p.versions.map((v) => v.id))))
  })

  it('keeps ratings, and counts them in a prompt’s arm stats next to its logged calls', async () => {
    await s.feedback.setFeedback('req-1', 'up')
    await s.feedback.setFeedback('req-2', 'up')
    await s.feedback.setFeedback('req-2', 'down')
    await s.feedback.setFeedback('req-3', 'up')
    await s.feedback.setFeedback('req-3', null)
    const ratings = await s.feedback.ratingsOf(['req-1', 'req-2', 'req-3', 'req-9'])
    expect(Object.fromEntries(ratings)).toEqual({ 'req-1': 'up', 'req-2': 'down' })
    expect((await s.feedback.ratingsOf([])).size).toBe(0)

    const at = Date.parse('2025-03-01T10:00:00.000Z')
    const call = (n: number, over: Partial<LogEvent>): LogEvent => ({
      requestId: `req-${n}`,
      startedAt: at + n,
      inboundApi: 'openai',
      requestedModel: 'm',
      model: 'm',
      provider: 'mock',
      status: 200,
      latencyMs: 10,
      stream: false,
      attempts: 1,
      promptName: 'greet',
      promptVersion: 1,
      ...over,
    })
    await backend.addLogRows([
      call(1, { promptArm: 'ab:v1' }),
      call(2, { promptArm: 'ab:v1' }),
      call(3, { promptVersion: 2, promptArm: 'ab:v2', status: 500 }),
    ])
    const arms = await backend.log().promptArmStats('greet', 'ab')
    expect(arms.map(({ costUsd: _c, ...a }) => a)).toEqual([
      { arm: 'ab:v1', version: 1, requests: 2, errors: 0, meanLatencyMs: 10, thumbsUp: 1, thumbsDown: 1 },
      { arm: 'ab:v2', version: 2, requests: 1, errors: 1, meanLatencyMs: 10, thumbsUp: 0, thumbsDown: 0 },
    ])
  })

  it('stores runs and cells: copies, progress, ratings, pages, workspaces, cancellation and deletion', async () => {
    const parent = await s.runs.createRun({ spec, rows: [{ vars: { n: 1 } }], columns, workspace: 'research' })
    const id = await s.runs.createRun({
      spec,
      rows: [{ vars: { n: 1 } }, { vars: { n: 2 } }],
      columns,
      parentRunId: parent,
      copied: [
        {
          row: 0,
          col: 0,
          model: 'a',
          status: 'done',
          output: 'copied',
          input: [{ role: 'user', content: 'hi' }],
          inputTokens: 3,
          outputTokens: 4,
          costUsd: 0.5,
          latencyMs: 20,
          ttftMs: 5,
          error: null,
          requestId: 'req-copied',
          pass: true,
          score: 1,
          assertions: [{ type: 'contains', pass: true, reason: 'found', score: 1 }],
          rating: null,
        },
      ],
    })
    await s.runs.setCellStatus(id, 'running', { row: 0, col: 1 })
    await s.runs.updateCell(id, 0, 1, { status: 'error', error: 'boom', latencyMs: 7 })
    await s.feedback.setFeedback('req-copied', 'down')

    const cells = await s.runs.listCells(id)
    expect(cells).toHaveLength(4)
    expect(cells[0]).toMatchObject({ output: 'copied', pass: true, rating: 'down', costUsd: 0.5, ttftMs: 5 })
    expect(cells[0].assertions).toEqual([{ type: 'contains', pass: true, reason: 'found', score: 1 }])
    expect(cells[1]).toMatchObject({ status: 'error', error: 'boom', rating: null, pass: null })
    const run = await s.runs.getRun(id)
    expect(run).toMatchObject({
      status: 'running',
      parentRunId: parent,
      workspace: 'default',
      progress: { total: 4, finished: 2, queued: 2, running: 0, errors: 1, costUsd: 0.5 },
    })
    expect(run?.summaries.map((c) => c.passRate)).toEqual([1, null])

    expect(await s.runs.cellInWorkspaces('req-copied', ['default'])).toBe(true)
    expect(await s.runs.cellInWorkspaces('req-copied', ['research'])).toBe(false)
    expect(await s.runs.runWorkspace(parent)).toBe('research')
    expect(await s.runs.runWorkspace(999)).toBeNull()

    const page = await s.runs.listRuns({ limit: 1 })
    expect(page).toMatchObject({ total: 2, nextCursor: String(id) })
    expect(page.items[0]).toMatchObject({ id, rows: 2, columns: ['a', 'b'], parentRunId: parent })
    expect((await s.runs.listRuns({ limit: 5, cursor: id })).items.map((r) => r.id)).toEqual([parent])
    expect((await s.runs.listRuns({ limit: 5, workspaces: ['research'] })).items.map((r) => r.id)).toEqual([parent])
    expect((await s.runs.listRuns({ limit: 5, kind: 'replay' })).total).toBe(0)

    await s.runs.finishRun(id, 'cancelled')
    expect((await s.runs.listCells(id)).map((c) => c.status)).toEqual(['done', 'error', 'cancelled', 'cancelled'])
    expect((await s.runs.getRun(id))?.finishedAt).not.toBeNull()
    expect(await s.runs.deleteRun(id)).toBe(true)
    expect(await s.runs.deleteRun(id)).toBe(false)
    expect(await s.runs.listCells(id)).toEqual([])
  })

  it('cancels runs a stopped process left running: on Postgres only once their lease has passed', async () => {
    let now = Date.now()
    const mine = storesOf(backend.handle, () => now)
    const live = await mine.runs.createRun({ spec, rows: [{ vars: {} }], columns })
    if (backend.name === 'sqlite') {
      // One process owns the file: every run left `running` at its start is one it can no longer finish.
      await mine.runs.failInterruptedRuns()
      expect((await mine.runs.getRun(live))?.status).toBe('cancelled')
      return
    }
    // Another instance starting now leaves a run whose lease holds alone; the run's own instance renews it.
    const other = storesOf(await backend.another(), () => now)
    await other.runs.failInterruptedRuns()
    expect((await other.runs.getRun(live))?.status).toBe('running')
    now += RUN_LEASE_MS - 1000
    await mine.runs.keepRunning([live])
    now += RUN_LEASE_MS - 1000
    await other.runs.keepRunning([])
    expect((await other.runs.getRun(live))?.status).toBe('running')
    // Its instance stopped: no renewal, and the next sweep by any instance cancels it and its unfinished cells.
    now += RUN_LEASE_MS
    await Promise.all([other.runs.keepRunning([]), mine.runs.failInterruptedRuns()])
    expect(await other.runs.getRun(live)).toMatchObject({ status: 'cancelled', progress: { cancelled: 2 } })
  })
})

it('answers 503 storage_unavailable while the database is not open or migrated', async () => {
  const closed = pgLifecycle(
    'postgres://switchyard@127.0.0.1:1/none',
    new Alerts({}, { clock: Date.now }),
    Date.now,
    () => undefined,
  )
  const stores = storesOf({ kind: 'postgres', pg: closed })
  for (const attempt of [
    stores.prompts.listPrompts({ limit: 5 }),
    stores.feedback.setFeedback('req-1', 'up'),
    stores.runs.listRuns({ limit: 5 }),
  ]) {
    await expect(attempt).rejects.toMatchObject({ status: 503, opts: { code: 'storage_unavailable' } })
  }
})
