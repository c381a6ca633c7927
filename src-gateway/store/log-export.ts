import { csvLine } from './csv.js'
import type { Db } from './db.js'
import type { LogFilter } from './log-filter.js'
import { LOG_ITEM_FIELDS, type LogItem, logBatches } from './log-queries.js'

export type ExportFormat = 'jsonl' | 'csv'

/** A CSV cell for one field: redactions and guardrail hits are kept as their JSON text, and left blank when empty. */
function csvCell(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  return Object.keys(value).length === 0 ? null : JSON.stringify(value)
}

/**
 * The export of every row matching `filter`, newest first, as text a batch of rows at a time (the CSV header
 * first). Each step reads and formats one batch, a few milliseconds of work, so a consumer that waits between
 * steps lets other work run, and one that stops pulling stops the reading.
 */
export function* exportChunks(db: Db, filter: LogFilter, format: ExportFormat): Generator<string> {
  if (format === 'csv') yield exportHeader
  for (const batch of logBatches(db, filter, EXPORT_BATCH)) yield exportText(batch, format)
}

/** Rows an export reads per step (both backends). */
export const EXPORT_BATCH = 500

/** The CSV header line, before the first batch. */
export const exportHeader = csvLine(LOG_ITEM_FIELDS)

/** A batch of rows as export text: CSV lines or JSON lines. */
export function exportText(batch: readonly LogItem[], format: ExportFormat): string {
  return format === 'csv'
    ? batch.map((item) => csvLine(LOG_ITEM_FIELDS.map((f) => csvCell(item[f])))).join('')
    : batch.map((item) => `${JSON.stringify(item)}\n`).join('')
}
