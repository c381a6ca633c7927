import type { LabelMove } from '../../../src-shared/contract/prompts.js'
import { DEFAULT_WORKSPACE } from '../../../src-shared/contract/workspaces.js'
import type { PromptBackup } from '../../backup/snapshot.js'
import { contentHash } from '../../prompts/content.js'
import {
  type ImportEntry,
  importKind,
  labelNotFound,
  labelVersions,
  type PromptImport,
  type PromptStore,
  promptNotFound,
  toLabel,
  toMove,
  toVersion,
  VERSION_COLUMNS,
  type VersionRow,
  versionNotFound,
} from '../../prompts/prompt-store.js'
import type { LabelTarget, PromptContent, PromptLabel, PromptSummary, PromptVersion } from '../../prompts/types.js'
import type { PgLifecycle } from './lifecycle.js'
import { firstRow, inTransaction, type Queryable } from './queryable.js'
import { withPool } from './ready-pool.js'

const WHAT = 'the prompt library'
const SELECT_VERSION = `SELECT ${VERSION_COLUMNS} FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id`

async function workspaceOf(q: Queryable, name: string): Promise<string | null> {
  return (
    (await firstRow<{ workspace: string }>(q, 'SELECT workspace FROM prompts WHERE name = $1', [name]))?.workspace ??
    null
  )
}

async function promptId(q: Queryable, name: string, lock = false): Promise<number> {
  const row = await firstRow<{ id: number }>(q, `SELECT id FROM prompts WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [
    name,
  ])
  if (!row) throw promptNotFound(name)
  return row.id
}

async function version(q: Queryable, where: string, values: unknown[]): Promise<PromptVersion | null> {
  const row = await firstRow<VersionRow>(q, `${SELECT_VERSION} WHERE ${where}`, values)
  return row ? toVersion(row) : null
}

const getVersion = (q: Queryable, name: string, v: number) => version(q, 'p.name = $1 AND v.version = $2', [name, v])
const latestVersion = (q: Queryable, name: string) => version(q, 'p.name = $1 ORDER BY v.version DESC LIMIT 1', [name])

async function requireVersion(q: Queryable, name: string, v: number): Promise<PromptVersion> {
  const found = await getVersion(q, name, v)
  if (found) return found
  if ((await workspaceOf(q, name)) === null) throw promptNotFound(name)
  throw versionNotFound(name, v)
}

/**
 * Locks the prompt's row for the transaction (creating it in `workspace` when it is new), so two instances saving
 * or labelling one prompt at once take turns: the second sees the first's version and numbers its own after it.
 */
async function lockOrCreate(tx: Queryable, name: string, workspace: string, now: string): Promise<boolean> {
  for (;;) {
    if (await firstRow(tx, 'SELECT id FROM prompts WHERE name = $1 FOR UPDATE', [name])) return false
    const made = await firstRow(
      tx,
      `INSERT INTO prompts (name, workspace, created_at, updated_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (name) DO NOTHING RETURNING id`,
      [name, workspace, now],
    )
    if (made) return true
  }
}

async function saveVersion(
  tx: Queryable,
  name: string,
  content: PromptContent,
  meta: { note?: string; author?: string; workspace?: string } = {},
): Promise<{ version: PromptVersion; created: boolean }> {
  const hash = contentHash(content)
  const now = new Date().toISOString()
  const isNew = await lockOrCreate(tx, name, meta.workspace ?? DEFAULT_WORKSPACE, now)
  const latest = isNew ? null : await latestVersion(tx, name)
  if (latest?.contentHash === hash) return { version: latest, created: false }
  const [{ id }] = await tx.query<{ id: number }>('UPDATE prompts SET updated_at = $2 WHERE name = $1 RETURNING id', [
    name,
    now,
  ])
  await tx.query(
    `INSERT INTO prompt_versions (prompt_id, version, content_hash, content_json, note, author, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, (latest?.version ?? 0) + 1, hash, JSON.stringify(content), meta.note ?? null, meta.author ?? null, now],
  )
  return { version: (await latestVersion(tx, name))!, created: true }
}

async function listLabels(q: Queryable, name: string): Promise<PromptLabel[]> {
  // Byte order, as SQLite sorts text, whatever the database's collation.
  const rows = await q.query<{ label: string; target_json: string; updated_at: string }>(
    `SELECT l.label, l.target_json, l.updated_at FROM prompt_labels l JOIN prompts p ON p.id = l.prompt_id
     WHERE p.name = $1 ORDER BY l.label COLLATE "C"`,
    [name],
  )
  return rows.map(toLabel)
}

async function getLabel(q: Queryable, name: string, label: string): Promise<PromptLabel | null> {
  return (await listLabels(q, name)).find((l) => l.label === label) ?? null
}

async function setLabel(tx: Queryable, name: string, label: string, target: LabelTarget): Promise<PromptLabel> {
  const versions = labelVersions(label, target)
  const id = await promptId(tx, name, true)
  for (const v of versions) await requireVersion(tx, name, v)
  const before = await getLabel(tx, name, label)
  const now = new Date().toISOString()
  const json = JSON.stringify(target)
  await tx.query(
    `INSERT INTO prompt_labels (prompt_id, label, target_json, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (prompt_id, label) DO UPDATE SET target_json = excluded.target_json, updated_at = excluded.updated_at`,
    [id, label, json, now],
  )
  if (JSON.stringify(before?.target) !== json) {
    await tx.query(
      'INSERT INTO prompt_label_moves (prompt_id, label, from_json, to_json, created_at) VALUES ($1, $2, $3, $4, $5)',
      [id, label, before ? JSON.stringify(before.target) : null, json, now],
    )
  }
  return { label, target, updatedAt: now }
}

async function deleteLabel(tx: Queryable, name: string, label: string): Promise<void> {
  const row = await firstRow<{ id: number }>(tx, 'SELECT id FROM prompts WHERE name = $1 FOR UPDATE', [name])
  const before = row && (await getLabel(tx, name, label))
  if (!row || !before) throw labelNotFound(name, label)
  await tx.query('DELETE FROM prompt_labels WHERE prompt_id = $1 AND label = $2', [row.id, label])
  await tx.query(
    'INSERT INTO prompt_label_moves (prompt_id, label, from_json, to_json, created_at) VALUES ($1, $2, $3, NULL, $4)',
    [row.id, label, JSON.stringify(before.target), new Date().toISOString()],
  )
}

async function labelHistory(q: Queryable, name: string): Promise<LabelMove[]> {
  const rows = await q.query<{ label: string; from_json: string | null; to_json: string | null; created_at: string }>(
    'SELECT label, from_json, to_json, created_at FROM prompt_label_moves WHERE prompt_id = $1 ORDER BY id DESC',
    [await promptId(q, name)],
  )
  return rows.map(toMove)
}

async function getSummary(q: Queryable, name: string): Promise<PromptSummary | null> {
  const row = await firstRow<{ name: string; workspace: string; created_at: string; updated_at: string }>(
    q,
    'SELECT name, workspace, created_at, updated_at FROM prompts WHERE name = $1',
    [name],
  )
  if (!row) return null
  const [latest, labels] = await Promise.all([latestVersion(q, name), listLabels(q, name)])
  return {
    name: row.name,
    latestVersion: latest!.version,
    model: latest!.content.model ?? null,
    labels,
    workspace: row.workspace,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

async function listPrompts(
  q: Queryable,
  {
    q: text,
    label,
    workspaces,
    limit,
    cursor,
  }: { q?: string; label?: string; workspaces?: readonly string[]; limit: number; cursor?: number },
): Promise<{ items: PromptSummary[]; total: number; nextCursor: string | null }> {
  const where: string[] = []
  const params: unknown[] = []
  if (workspaces) {
    params.push([...workspaces])
    where.push(`workspace = ANY($${params.length}::text[])`)
  }
  if (text) {
    params.push(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    where.push(`name LIKE $${params.length} ESCAPE '\\'`)
  }
  if (label) {
    params.push(label)
    where.push(`EXISTS (SELECT 1 FROM prompt_labels l WHERE l.prompt_id = prompts.id AND l.label = $${params.length})`)
  }
  const sql = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const offset = cursor ?? 0
  const [[{ n: total }], names] = await Promise.all([
    q.query<{ n: number }>(`SELECT count(*) AS n FROM prompts ${sql}`, params),
    q.query<{ name: string }>(
      `SELECT name FROM prompts ${sql} ORDER BY updated_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    ),
  ])
  // A prompt deleted between the two reads is left out rather than failing the page.
  const items = (await Promise.all(names.map((r) => getSummary(q, r.name)))).filter((s) => s !== null)
  return { items, total, nextCursor: offset + names.length < total ? String(offset + names.length) : null }
}

async function importEntries(tx: Queryable, entries: readonly ImportEntry[], author: string): Promise<PromptImport> {
  const plan: PromptImport = { created: [], updated: [], unchanged: [] }
  for (const e of entries) plan[importKind(await latestVersion(tx, e.name), e.content)].push(e.name)
  for (const { name, note, content, workspace } of entries) {
    await saveVersion(tx, name, content, { note: note ?? 'imported', author, workspace })
    await tx.query('UPDATE prompts SET workspace = $2 WHERE name = $1 AND workspace <> $2', [name, workspace])
  }
  return plan
}

/** The whole library as a backup holds it: four reads, grouped by prompt here (dumpPrompts' shape and order). */
async function dump(q: Queryable): Promise<PromptBackup[]> {
  const [prompts, versions, labels, moves] = await Promise.all([
    q.query<{ id: number; name: string; created_at: string; updated_at: string }>(
      'SELECT id, name, created_at, updated_at FROM prompts ORDER BY id',
    ),
    q.query<VersionRow & { prompt_id: number }>(
      `SELECT v.prompt_id, ${VERSION_COLUMNS} FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
       ORDER BY v.prompt_id, v.version`,
    ),
    q.query<{ prompt_id: number; label: string; target_json: string; updated_at: string }>(
      'SELECT prompt_id, label, target_json, updated_at FROM prompt_labels ORDER BY prompt_id, label COLLATE "C"',
    ),
    q.query<{ prompt_id: number; label: string; from_json: string | null; to_json: string | null; created_at: string }>(
      'SELECT prompt_id, label, from_json, to_json, created_at FROM prompt_label_moves ORDER BY prompt_id, id',
    ),
  ])
  const of = <R extends { prompt_id: number }>(rows: R[], id: number) => rows.filter((r) => r.prompt_id === id)
  return prompts.map((p) => ({
    id: p.id,
    name: p.name,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
    versions: of(versions, p.id).map((r) => {
      const v = toVersion(r)
      return {
        id: v.id,
        version: v.version,
        contentHash: v.contentHash,
        content: v.content,
        note: v.note,
        author: v.author,
        createdAt: v.createdAt,
      }
    }),
    labels: of(labels, p.id).map(toLabel),
    labelMoves: of(moves, p.id).map(toMove),
  }))
}

/** Replaces the library with a backup's, ids included, in the caller's transaction (restorePrompts on Postgres). */
async function restore(tx: Queryable, prompts: readonly PromptBackup[]): Promise<void> {
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v))
  // Versions, labels and moves go with their prompt (ON DELETE CASCADE).
  await tx.query('DELETE FROM prompts')
  for (const p of prompts) {
    await tx.query('INSERT INTO prompts (id, name, created_at, updated_at) VALUES ($1, $2, $3, $4)', [
      p.id,
      p.name,
      p.createdAt,
      p.updatedAt,
    ])
    for (const v of p.versions) {
      await tx.query(
        `INSERT INTO prompt_versions (id, prompt_id, version, content_hash, content_json, note, author, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [v.id, p.id, v.version, v.contentHash, JSON.stringify(v.content), v.note, v.author, v.createdAt],
      )
    }
    for (const l of p.labels) {
      await tx.query('INSERT INTO prompt_labels (prompt_id, label, target_json, updated_at) VALUES ($1, $2, $3, $4)', [
        p.id,
        l.label,
        JSON.stringify(l.target),
        l.updatedAt,
      ])
    }
    for (const m of p.labelMoves) {
      await tx.query(
        'INSERT INTO prompt_label_moves (prompt_id, label, from_json, to_json, created_at) VALUES ($1, $2, $3, $4, $5)',
        [p.id, m.label, json(m.from), json(m.to), m.createdAt],
      )
    }
  }
  // Ids were given: the identities continue after the highest, so the next save does not collide with one.
  for (const table of ['prompts', 'prompt_versions']) {
    await tx.query(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`,
    )
  }
}

/**
 * The prompt library in the shared Postgres (config `database`): every instance reads and writes the same prompts,
 * versions and labels. Saves and label moves lock the prompt's row, so instances doing them at once take turns.
 */
export function pgPromptStore(pg: PgLifecycle): PromptStore {
  const read = <T>(fn: (q: Queryable) => Promise<T>) => withPool(pg, WHAT, (pool) => fn(pool))
  const write = <T>(fn: (tx: Queryable) => Promise<T>) => withPool(pg, WHAT, (pool) => inTransaction(pool, fn))
  return {
    workspaceOf: (name) => read((q) => workspaceOf(q, name)),
    getVersion: (name, v) => read((q) => getVersion(q, name, v)),
    latestVersion: (name) => read((q) => latestVersion(q, name)),
    latestVersionBy: (name, author) =>
      read((q) => version(q, 'p.name = $1 AND v.author = $2 ORDER BY v.version DESC LIMIT 1', [name, author])),
    requireVersion: (name, v) => read((q) => requireVersion(q, name, v)),
    saveVersion: (name, content, meta) => write((tx) => saveVersion(tx, name, content, meta)),
    listVersions: (name, { limit, cursor }) =>
      read(async (q) => {
        const id = await promptId(q, name)
        const [[{ n: total }], rows] = await Promise.all([
          q.query<{ n: number }>('SELECT count(*) AS n FROM prompt_versions WHERE prompt_id = $1', [id]),
          q.query<VersionRow>(
            `${SELECT_VERSION} WHERE v.prompt_id = $1 AND v.version < $2 ORDER BY v.version DESC LIMIT $3`,
            [id, cursor ?? Number.MAX_SAFE_INTEGER, limit + 1],
          ),
        ])
        const items = rows.slice(0, limit).map(toVersion)
        return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].version) : null }
      }),
    listLabels: (name) => read((q) => listLabels(q, name)),
    getLabel: (name, label) => read((q) => getLabel(q, name, label)),
    setLabel: (name, label, target) => write((tx) => setLabel(tx, name, label, target)),
    deleteLabel: (name, label) => write((tx) => deleteLabel(tx, name, label)),
    labelHistory: (name) => read((q) => labelHistory(q, name)),
    deletePrompt: (name) =>
      read(async (q) => {
        const gone = await q.query('DELETE FROM prompts WHERE name = $1 RETURNING id', [name])
        if (gone.length === 0) throw promptNotFound(name)
      }),
    getSummary: (name) => read((q) => getSummary(q, name)),
    listPrompts: (query) => read((q) => listPrompts(q, query)),
    names: () =>
      read((q) =>
        q.query<{ name: string; workspace: string }>('SELECT name, workspace FROM prompts ORDER BY name COLLATE "C"'),
      ),
    importEntries: (entries, author) => write((tx) => importEntries(tx, entries, author)),
    dump: () => read(dump),
    restore: (prompts) => write((tx) => restore(tx, prompts)),
  }
}
