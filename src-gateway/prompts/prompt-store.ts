import type { LabelMove } from '../../src-shared/contract/prompts.js'
import { DEFAULT_WORKSPACE } from '../../src-shared/contract/workspaces.js'
import { dumpPrompts, type PromptBackup, restorePrompts } from '../backup/snapshot.js'
import { GatewayError } from '../core/errors.js'
import type { Db } from '../store/db.js'
import { contentHash } from './content.js'
import { findVariables } from './template.js'
import type { LabelTarget, PromptContent, PromptLabel, PromptSummary, PromptVersion } from './types.js'

/** `latest` always means the newest version; it cannot be set or moved. */
export const LATEST = 'latest'

/** A prompt_versions row joined with its prompt's name: the same columns on SQLite and Postgres. */
export interface VersionRow {
  id: number
  name: string
  version: number
  content_hash: string
  content_json: string
  note: string | null
  author: string | null
  created_at: string
}

export const VERSION_COLUMNS = `v.id, p.name, v.version, v.content_hash, v.content_json, v.note, v.author, v.created_at`

export function toVersion(r: VersionRow): PromptVersion {
  const content = JSON.parse(r.content_json) as PromptContent
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    contentHash: r.content_hash,
    content,
    variables: findVariables(content.messages.map((m) => m.content)),
    note: r.note,
    author: r.author,
    createdAt: r.created_at,
  }
}

export function promptNotFound(name: string): GatewayError {
  return new GatewayError('not_found', `no prompt named '${name}'`, { code: 'prompt_not_found' })
}

/** The workspace a prompt belongs to; null when there is no such prompt. */
export function promptWorkspace(db: Db, name: string): string | null {
  const row = db.prepare('SELECT workspace FROM prompts WHERE name = ?').get(name) as { workspace: string } | undefined
  return row?.workspace ?? null
}

function promptId(db: Db, name: string): number {
  const row = db.prepare('SELECT id FROM prompts WHERE name = ?').get(name) as { id: number } | undefined
  if (!row) throw promptNotFound(name)
  return row.id
}

export function getVersion(db: Db, name: string, version: number): PromptVersion | null {
  const row = db
    .prepare(
      `SELECT ${VERSION_COLUMNS} FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
       WHERE p.name = ? AND v.version = ?`,
    )
    .get(name, version) as VersionRow | undefined
  return row ? toVersion(row) : null
}

export function latestVersion(db: Db, name: string): PromptVersion | null {
  const row = db
    .prepare(
      `SELECT ${VERSION_COLUMNS} FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
       WHERE p.name = ? ORDER BY v.version DESC LIMIT 1`,
    )
    .get(name) as VersionRow | undefined
  return row ? toVersion(row) : null
}

/** The newest version written by one author (config imports compare against their own last import). */
export function latestVersionBy(db: Db, name: string, author: string): PromptVersion | null {
  const row = db
    .prepare(
      `SELECT ${VERSION_COLUMNS} FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
       WHERE p.name = ? AND v.author = ? ORDER BY v.version DESC LIMIT 1`,
    )
    .get(name, author) as VersionRow | undefined
  return row ? toVersion(row) : null
}

export function versionNotFound(name: string, version: number): GatewayError {
  return new GatewayError('not_found', `prompt '${name}' has no version ${version}`, {
    code: 'prompt_version_not_found',
    param: 'version',
  })
}

export function requireVersion(db: Db, name: string, version: number): PromptVersion {
  const v = getVersion(db, name, version)
  if (v) return v
  promptId(db, name)
  throw versionNotFound(name, version)
}

/**
 * Saves content as the prompt's next version, creating the prompt in `meta.workspace` (else `default`) on its
 * first save; an existing prompt stays in its workspace. Versions are immutable; content identical to the latest
 * version's (same hash) creates nothing and returns it.
 */
export function saveVersion(
  db: Db,
  name: string,
  content: PromptContent,
  meta: { note?: string; author?: string; workspace?: string } = {},
): { version: PromptVersion; created: boolean } {
  return db.transaction(() => {
    const hash = contentHash(content)
    const latest = latestVersion(db, name)
    if (latest?.contentHash === hash) return { version: latest, created: false }
    const now = new Date().toISOString()
    db.prepare(
      `INSERT INTO prompts (name, workspace, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at`,
    ).run(name, meta.workspace ?? DEFAULT_WORKSPACE, now, now)
    const id = promptId(db, name)
    db.prepare(
      `INSERT INTO prompt_versions (prompt_id, version, content_hash, content_json, note, author, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, (latest?.version ?? 0) + 1, hash, JSON.stringify(content), meta.note ?? null, meta.author ?? null, now)
    return { version: latestVersion(db, name)!, created: true }
  })()
}

export function listVersions(
  db: Db,
  name: string,
  { limit, cursor }: { limit: number; cursor?: number },
): { items: PromptVersion[]; total: number; nextCursor: string | null } {
  const id = promptId(db, name)
  const { n: total } = db.prepare('SELECT count(*) AS n FROM prompt_versions WHERE prompt_id = ?').get(id) as {
    n: number
  }
  const rows = db
    .prepare(
      `SELECT ${VERSION_COLUMNS} FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
       WHERE v.prompt_id = ? AND v.version < ? ORDER BY v.version DESC LIMIT ?`,
    )
    .all(id, cursor ?? Number.MAX_SAFE_INTEGER, limit + 1) as VersionRow[]
  const items = rows.slice(0, limit).map(toVersion)
  return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].version) : null }
}

export function listLabels(db: Db, name: string): PromptLabel[] {
  const rows = db
    .prepare(
      `SELECT l.label, l.target_json, l.updated_at FROM prompt_labels l JOIN prompts p ON p.id = l.prompt_id
       WHERE p.name = ? ORDER BY l.label`,
    )
    .all(name) as { label: string; target_json: string; updated_at: string }[]
  return rows.map(toLabel)
}

export function getLabel(db: Db, name: string, label: string): PromptLabel | null {
  return listLabels(db, name).find((l) => l.label === label) ?? null
}

/** The versions a label target names, once its shape is checked (both backends check the same way). */
export function labelVersions(label: string, target: LabelTarget): number[] {
  if (label === LATEST) {
    throw new GatewayError('invalid_request', `'${LATEST}' always means the newest version and cannot be set`, {
      param: 'label',
    })
  }
  const versions = 'version' in target ? [target.version] : target.split.map((a) => a.version)
  if ('split' in target) {
    if (new Set(versions).size !== versions.length) {
      throw new GatewayError('invalid_request', 'a split names each version once', { param: 'split' })
    }
    if (!target.split.some((a) => a.weight > 0)) {
      throw new GatewayError('invalid_request', 'a split needs at least one arm with a weight above 0', {
        param: 'split',
      })
    }
  }
  return versions
}

export function labelNotFound(name: string, label: string): GatewayError {
  return new GatewayError('not_found', `prompt '${name}' has no label '${label}'`, { code: 'label_not_found' })
}

/** Points a label at a version or a weighted split, recording the move; every version must exist. */
export function setLabel(db: Db, name: string, label: string, target: LabelTarget): PromptLabel {
  const versions = labelVersions(label, target)
  return db.transaction(() => {
    for (const v of versions) requireVersion(db, name, v)
    const id = promptId(db, name)
    const before = getLabel(db, name, label)
    const now = new Date().toISOString()
    const json = JSON.stringify(target)
    db.prepare(
      `INSERT INTO prompt_labels (prompt_id, label, target_json, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(prompt_id, label) DO UPDATE SET target_json = excluded.target_json, updated_at = excluded.updated_at`,
    ).run(id, label, json, now)
    if (JSON.stringify(before?.target) !== json) {
      db.prepare(
        'INSERT INTO prompt_label_moves (prompt_id, label, from_json, to_json, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(id, label, before ? JSON.stringify(before.target) : null, json, now)
    }
    return { label, target, updatedAt: now }
  })()
}

export function deleteLabel(db: Db, name: string, label: string): void {
  db.transaction(() => {
    const before = getLabel(db, name, label)
    if (!before) throw labelNotFound(name, label)
    const id = promptId(db, name)
    db.prepare('DELETE FROM prompt_labels WHERE prompt_id = ? AND label = ?').run(id, label)
    db.prepare(
      'INSERT INTO prompt_label_moves (prompt_id, label, from_json, to_json, created_at) VALUES (?, ?, ?, NULL, ?)',
    ).run(id, label, JSON.stringify(before.target), new Date().toISOString())
  })()
}

/** A prompt_labels row (both backends). */
export function toLabel(r: { label: string; target_json: string; updated_at: string }): PromptLabel {
  return { label: r.label, target: JSON.parse(r.target_json), updatedAt: r.updated_at }
}

/** A prompt_label_moves row (both backends). */
export function toMove(r: {
  label: string
  from_json: string | null
  to_json: string | null
  created_at: string
}): LabelMove {
  return {
    label: r.label,
    from: r.from_json ? JSON.parse(r.from_json) : null,
    to: r.to_json ? JSON.parse(r.to_json) : null,
    createdAt: r.created_at,
  }
}

/** Every label move of a prompt, newest first. */
export function labelHistory(db: Db, name: string): LabelMove[] {
  const rows = db
    .prepare(
      `SELECT label, from_json, to_json, created_at FROM prompt_label_moves WHERE prompt_id = ? ORDER BY id DESC`,
    )
    .all(promptId(db, name)) as {
    label: string
    from_json: string | null
    to_json: string | null
    created_at: string
  }[]
  return rows.map(toMove)
}

export function deletePrompt(db: Db, name: string): void {
  const { changes } = db.prepare('DELETE FROM prompts WHERE name = ?').run(name)
  if (changes === 0) throw promptNotFound(name)
}

export function getPromptSummary(db: Db, name: string): PromptSummary | null {
  const row = db.prepare('SELECT name, workspace, created_at, updated_at FROM prompts WHERE name = ?').get(name) as
    | { name: string; workspace: string; created_at: string; updated_at: string }
    | undefined
  if (!row) return null
  const latest = latestVersion(db, name)!
  return {
    name: row.name,
    latestVersion: latest.version,
    model: latest.content.model ?? null,
    labels: listLabels(db, name),
    workspace: row.workspace,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/**
 * Prompts, most recently saved first; `q` matches the name, `label` keeps prompts that have that label,
 * `workspaces` (undefined: all) those of these workspaces.
 */
export function listPrompts(
  db: Db,
  {
    q,
    label,
    workspaces,
    limit,
    cursor,
  }: { q?: string; label?: string; workspaces?: readonly string[]; limit: number; cursor?: number },
): { items: PromptSummary[]; total: number; nextCursor: string | null } {
  const where: string[] = []
  const params: unknown[] = []
  if (workspaces) {
    where.push('workspace IN (SELECT value FROM json_each(?))')
    params.push(JSON.stringify(workspaces))
  }
  if (q) {
    where.push("name LIKE ? ESCAPE '\\'")
    params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
  }
  if (label) {
    where.push('EXISTS (SELECT 1 FROM prompt_labels l WHERE l.prompt_id = prompts.id AND l.label = ?)')
    params.push(label)
  }
  const sql = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const { n: total } = db.prepare(`SELECT count(*) AS n FROM prompts ${sql}`).get(...params) as { n: number }
  const offset = cursor ?? 0
  const names = db
    .prepare(`SELECT name FROM prompts ${sql} ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`)
    .all(...params, limit, offset) as { name: string }[]
  const items = names.map((r) => getPromptSummary(db, r.name)!)
  return { items, total, nextCursor: offset + items.length < total ? String(offset + items.length) : null }
}

/** Prompts as listed by name, in byte order (an export's order). */
export function promptNames(db: Db): { name: string; workspace: string }[] {
  return db.prepare('SELECT name, workspace FROM prompts ORDER BY name').all() as { name: string; workspace: string }[]
}

/** One prompt of an explicit import (admin API or `switchyard import`): its content, note and workspace. */
export interface ImportEntry {
  name: string
  note?: string
  workspace: string
  content: PromptContent
}

/** What importing a `prompts:` section does, by prompt name. */
export interface PromptImport {
  created: string[]
  /** Prompts whose latest version differs: each gets a new version. */
  updated: string[]
  unchanged: string[]
}

/** Where an imported prompt falls, against its latest version. */
export function importKind(latest: PromptVersion | null, content: PromptContent): keyof PromptImport {
  if (!latest) return 'created'
  return latest.contentHash === contentHash(content) ? 'unchanged' : 'updated'
}

/**
 * An explicit import in one transaction: a new version for each new or changed prompt (by `author`), each put in its
 * entry's workspace. Returns what it did, classified against the versions before it.
 */
function importEntries(db: Db, entries: readonly ImportEntry[], author: string): PromptImport {
  return db.transaction(() => {
    const plan: PromptImport = { created: [], updated: [], unchanged: [] }
    for (const e of entries) plan[importKind(latestVersion(db, e.name), e.content)].push(e.name)
    for (const { name, note, content, workspace } of entries) {
      saveVersion(db, name, content, { note: note ?? 'imported', author, workspace })
      if (promptWorkspace(db, name) !== workspace) {
        db.prepare('UPDATE prompts SET workspace = ? WHERE name = ?').run(workspace, name)
      }
    }
    return plan
  })()
}

/**
 * The prompt library, whichever database holds it: the data folder's SQLite (`sqlitePromptStore`) or the shared
 * Postgres (`pgPromptStore`, config `database`). Every method's meaning is the SQLite function of the same name's.
 */
export interface PromptStore {
  workspaceOf(name: string): Promise<string | null>
  getVersion(name: string, version: number): Promise<PromptVersion | null>
  latestVersion(name: string): Promise<PromptVersion | null>
  latestVersionBy(name: string, author: string): Promise<PromptVersion | null>
  requireVersion(name: string, version: number): Promise<PromptVersion>
  saveVersion(
    name: string,
    content: PromptContent,
    meta?: { note?: string; author?: string; workspace?: string },
  ): Promise<{ version: PromptVersion; created: boolean }>
  listVersions(
    name: string,
    page: { limit: number; cursor?: number },
  ): Promise<{ items: PromptVersion[]; total: number; nextCursor: string | null }>
  listLabels(name: string): Promise<PromptLabel[]>
  getLabel(name: string, label: string): Promise<PromptLabel | null>
  setLabel(name: string, label: string, target: LabelTarget): Promise<PromptLabel>
  deleteLabel(name: string, label: string): Promise<void>
  labelHistory(name: string): Promise<LabelMove[]>
  deletePrompt(name: string): Promise<void>
  getSummary(name: string): Promise<PromptSummary | null>
  listPrompts(query: {
    q?: string
    label?: string
    workspaces?: readonly string[]
    limit: number
    cursor?: number
  }): Promise<{ items: PromptSummary[]; total: number; nextCursor: string | null }>
  names(): Promise<{ name: string; workspace: string }[]>
  importEntries(entries: readonly ImportEntry[], author: string): Promise<PromptImport>
  /** The whole library as a backup holds it (backup/snapshot.ts's dumpPrompts). */
  dump(): Promise<PromptBackup[]>
  /** Replaces the whole library with a backup's, in one transaction (backup/snapshot.ts's restorePrompts). */
  restore(prompts: readonly PromptBackup[]): Promise<void>
}

/** Today's SQLite functions behind the interface, unchanged. */
export function sqlitePromptStore(db: Db): PromptStore {
  return {
    workspaceOf: async (name) => promptWorkspace(db, name),
    getVersion: async (name, version) => getVersion(db, name, version),
    latestVersion: async (name) => latestVersion(db, name),
    latestVersionBy: async (name, author) => latestVersionBy(db, name, author),
    requireVersion: async (name, version) => requireVersion(db, name, version),
    saveVersion: async (name, content, meta) => saveVersion(db, name, content, meta),
    listVersions: async (name, page) => listVersions(db, name, page),
    listLabels: async (name) => listLabels(db, name),
    getLabel: async (name, label) => getLabel(db, name, label),
    setLabel: async (name, label, target) => setLabel(db, name, label, target),
    deleteLabel: async (name, label) => deleteLabel(db, name, label),
    labelHistory: async (name) => labelHistory(db, name),
    deletePrompt: async (name) => deletePrompt(db, name),
    getSummary: async (name) => getPromptSummary(db, name),
    listPrompts: async (query) => listPrompts(db, query),
    names: async () => promptNames(db),
    importEntries: async (entries, author) => importEntries(db, entries, author),
    dump: async () => dumpPrompts(db),
    restore: async (prompts) => restorePrompts(db, prompts),
  }
}
