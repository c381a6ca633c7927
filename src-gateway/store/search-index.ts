import type { Db } from './db.js'

// What the Logs page's search finds (request_logs_fts, see migrations.ts): a row's request id, route, models and
// error, and the string values of its stored bodies (the prompt and the answer). The log writer indexes each row
// in its flush transaction. Pulling the text out here, from bodies it has just serialised, costs a fraction of
// what SQLite's json_tree did in an insert trigger (which also indexed each row twice: once for the row, again
// for its bodies), and the writer's flush runs on the gateway's event loop.

/** Per body: enough for the prompt and the answer; a long conversation's tail is not what people search. */
const MAX_BODY_TEXT = 32 * 1024
/** Per string value, so one pasted file does not crowd out the rest of the body. */
const MAX_VALUE_TEXT = 2000
/** Values that are payloads, not words: base64 images and audio, thinking signatures, encrypted reasoning. */
const SKIPPED_KEYS = new Set(['data', 'signature', 'encrypted_content'])
/** A sealed body (logs.encryptBodies) is never indexed: the index would hold its words in the clear. */
const SEALED_PREFIX = 'enc:v1:'

/** The searchable words of one stored body, or null for none (no body, or a sealed one). */
export function bodyText(stored: string | null | undefined): string | null {
  if (!stored || stored.startsWith(SEALED_PREFIX)) return null
  let value: unknown
  try {
    value = JSON.parse(stored)
  } catch {
    // A body cut at the size limit is no longer JSON: its text as it is.
    return stored.slice(0, MAX_BODY_TEXT)
  }
  const parts: string[] = []
  let size = 0
  // Iterative, so a deeply nested body cannot exhaust the stack.
  const stack: unknown[] = [value]
  while (stack.length > 0 && size < MAX_BODY_TEXT) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (v.startsWith('data:')) continue
      const part = v.slice(0, MAX_VALUE_TEXT)
      parts.push(part)
      size += part.length + 1
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i])
    } else if (v !== null && typeof v === 'object') {
      // Keys, not entries: one array per object instead of one per property (this runs in every log flush).
      const o = v as Record<string, unknown>
      const keys = Object.keys(o)
      for (let i = keys.length - 1; i >= 0; i--) if (!SKIPPED_KEYS.has(keys[i])) stack.push(o[keys[i]])
    }
  }
  return parts.length > 0 ? parts.join(' ').slice(0, MAX_BODY_TEXT) : null
}

/** The row's columns the index's `meta` column holds. */
export interface IndexedRow {
  request_id: string
  route: string | null
  requested_model: string | null
  model: string | null
  error: string | null
}

/** Adds rows to the search index; call in the transaction that inserts them. */
export function searchIndexer(
  db: Db,
): (id: number | bigint, row: IndexedRow, request?: string | null, response?: string | null) => void {
  const insert = db.prepare('INSERT INTO request_logs_fts (rowid, meta, body) VALUES (?, ?, ?)')
  return (id, row, request, response) => {
    const meta = [row.request_id, row.route, row.requested_model, row.model, row.error].filter((v) => v).join(' ')
    const body = [bodyText(request), bodyText(response)].filter((t) => t !== null).join(' ')
    insert.run(id, meta, body || null)
  }
}
