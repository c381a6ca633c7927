import type { SessionsFilter } from '../../api/sessions'

/** The ranges the list offers; a session is listed when it made a call in the range. */
export const SESSION_RANGES = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' } as const
export type SessionRange = keyof typeof SESSION_RANGES
const RANGE_MS: Record<SessionRange, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 }

/** The Sessions page's filters, kept in the URL (`#/sessions?range=30d&project=…`). */
export interface SessionFilters {
  range: SessionRange
  project: string
  key: string
  tool: string
}

export const DEFAULT_SESSION_FILTERS: SessionFilters = { range: '7d', project: '', key: '', tool: '' }

/** The tools whose sessions the gateway recognises by itself, by the name calls are logged with. */
export const KNOWN_TOOLS: Record<string, string> = { 'claude-code': 'Claude Code', codex: 'Codex' }

export const toolLabel = (tool: string | null): string => (tool === null ? '—' : (KNOWN_TOOLS[tool] ?? tool))

/** The filters a URL states; an unknown range (an old or edited link) is the default one. */
export function sessionFiltersFrom(q: URLSearchParams): SessionFilters {
  const range = q.get('range') ?? ''
  return {
    range: Object.hasOwn(SESSION_RANGES, range) ? (range as SessionRange) : DEFAULT_SESSION_FILTERS.range,
    project: q.get('project') ?? '',
    key: q.get('key') ?? '',
    tool: q.get('tool') ?? '',
  }
}

export function hasSessionFilters(f: SessionFilters): boolean {
  return f.project !== '' || f.key !== '' || f.tool !== ''
}

/** The list's query: the range ends now, and blank filters are left out. */
export function toSessionsQuery(f: SessionFilters, now = Date.now()): SessionsFilter {
  return {
    from: new Date(now - RANGE_MS[f.range]).toISOString(),
    project: f.project.trim() || undefined,
    key: f.key.trim() || undefined,
    tool: f.tool.trim() || undefined,
  }
}
