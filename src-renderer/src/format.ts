/**
 * Every number the UI shows goes through here (ui.md §1 "Number formats"), so tables, tiles, charts and
 * tests agree. Unknown is `—`, never 0.
 */
import type { StatsBucket } from '../../src-shared/admin-api'

const LOCALE = 'en-US'
export const UNKNOWN = '—'

const int = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 })
const compact = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 })

type Maybe = number | null | undefined

export function formatUsd(v: Maybe): string {
  if (v === null || v === undefined || Number.isNaN(v)) return UNKNOWN
  if (v === 0) return '$0'
  if (v < 0.0001) return '<$0.0001'
  // Four decimals so small costs stay visible, trailing zeros trimmed down to cents: $0.0042, $0.132, $0.50.
  if (v < 1) return `$${v.toFixed(4).replace(/(\.\d\d\d*?)0+$/, '$1')}`
  return `$${v.toLocaleString(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/** Axis ticks: short, `$1.2k`. */
export function formatUsdAxis(v: number): string {
  if (v === 0) return '$0'
  if (Math.abs(v) < 1) return `$${Number(v.toPrecision(2))}`
  return `$${compact.format(v)}`
}

export function formatCount(v: Maybe): string {
  return v === null || v === undefined ? UNKNOWN : int.format(v)
}

export function formatCompact(v: number): string {
  return compact.format(v)
}

export function formatTokensInOut(input: Maybe, output: Maybe): string {
  if ((input ?? null) === null && (output ?? null) === null) return UNKNOWN
  return `${formatCount(input)} → ${formatCount(output)}`
}

export function formatDuration(ms: Maybe): string {
  if (ms === null || ms === undefined) return UNKNOWN
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
}

export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return UNKNOWN
  const p = (part / whole) * 100
  if (p > 0 && p < 0.1) return '<0.1%'
  return `${p.toFixed(1)}%`
}

const timeOfDay = new Intl.DateTimeFormat(LOCALE, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
})
const dayAndTime = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})
const dateAndTime = new Intl.DateTimeFormat(LOCALE, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})
const dayOnly = new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric' })
const hourOnly = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', hour12: false })

/** Always with its date, `Nov 24, 2026, 14:03`: for lists read across days (backups), where "today" is ambiguous. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? UNKNOWN : dateAndTime.format(d)
}

/** Today `14:03:12`, older `Nov 24, 14:03`. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return UNKNOWN
  return d.toDateString() === now.toDateString() ? timeOfDay.format(d) : dayAndTime.format(d)
}

export function formatBucketTick(t: number, bucket: StatsBucket): string {
  // Recharts can ask for a label with no point under the cursor.
  if (!Number.isFinite(t)) return ''
  return bucket === 'day' ? dayOnly.format(t) : hourOnly.format(t)
}

export function formatBucketLabel(t: number, bucket: StatsBucket): string {
  if (!Number.isFinite(t)) return ''
  return bucket === 'day' ? dayOnly.format(t) : dayAndTime.format(t)
}

/** The display zone, shown beside every time range (ui.md: the picker shows the time zone). */
export function timeZoneLabel(): string {
  return Intl.DateTimeFormat(LOCALE).resolvedOptions().timeZone
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB']
const oneDecimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 })

/** File sizes in powers of 1024: `512 B`, `12.4 KB`, `2.1 MB`. */
export function formatBytes(v: Maybe): string {
  if (v === null || v === undefined || Number.isNaN(v)) return UNKNOWN
  let n = v
  let unit = 0
  while (n >= 1024 && unit < BYTE_UNITS.length - 1) {
    n /= 1024
    unit++
  }
  return `${unit === 0 ? int.format(n) : oneDecimal.format(n)} ${BYTE_UNITS[unit]}`
}

/** An entity type as people read it: `credit_card` → `credit card`. */
export function entityLabel(type: string): string {
  return type.replaceAll('_', ' ')
}

/** Redacted entities by type, most first: `email ×2, credit card ×1`. Counts only: values are never stored. */
export function formatEntityCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0)
  if (entries.length === 0) return UNKNOWN
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([type, n]) => `${entityLabel(type)} ×${int.format(n)}`)
    .join(', ')
}

/** A time to live in its largest whole unit: `1 h`, `30 min`, `2 d`, `45 s`. */
export function formatTtl(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${int.format(seconds / size)} ${unit}`
  }
  return `${int.format(seconds)} s`
}
