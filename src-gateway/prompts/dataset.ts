import { GatewayError } from '../core/errors.js'

export type DatasetRow = Record<string, unknown>

function bad(message: string): GatewayError {
  return new GatewayError('invalid_request', message, { param: 'dataset' })
}

/** RFC 4180 records: quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF or LF. */
function csvRecords(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  for (; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else {
        if (ch === '\n') line++
        field += ch
      }
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === ',') {
      record.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      record.push(field)
      records.push(record)
      record = []
      field = ''
      line++
    } else field += ch
  }
  if (quoted) throw bad(`CSV: a quoted field starting before line ${line} is never closed`)
  if (field !== '' || record.length > 0) {
    record.push(field)
    records.push(record)
  }
  // Blank lines carry no row.
  return records.filter((r) => !(r.length === 1 && r[0] === ''))
}

/** CSV with a header row: each row becomes `{column: text}`. */
export function parseCsv(text: string): DatasetRow[] {
  const [header, ...records] = csvRecords(text)
  if (!header) return []
  const columns = header.map((c) => c.trim())
  const dup = columns.find((c, i) => columns.indexOf(c) !== i)
  if (dup !== undefined) throw bad(`CSV: column '${dup}' appears twice in the header`)
  return records.map((r, i) => {
    if (r.length !== columns.length) {
      throw bad(`CSV: row ${i + 2} has ${r.length} fields, the header has ${columns.length}`)
    }
    return Object.fromEntries(columns.map((c, j) => [c, r[j]]))
  })
}

/** One JSON object per non-blank line. */
export function parseJsonl(text: string): DatasetRow[] {
  const rows: DatasetRow[] = []
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (err) {
      throw bad(`JSONL: line ${i + 1} is not JSON: ${(err as Error).message}`)
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad(`JSONL: line ${i + 1} is not an object`)
    rows.push(value as DatasetRow)
  }
  return rows
}

export function parseDataset(format: 'csv' | 'jsonl', text: string): DatasetRow[] {
  return format === 'csv' ? parseCsv(text) : parseJsonl(text)
}

/** Column names in order of first appearance across rows. */
export function datasetColumns(rows: readonly DatasetRow[]): string[] {
  const seen = new Set<string>()
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k)
  return [...seen]
}
