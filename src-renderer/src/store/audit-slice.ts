import type { StateCreator } from 'zustand'
import type { AuditQuery } from '../api/audit'

/**
 * The areas the action filter offers, each matching all its `area.*` actions, then the single actions. `team`:
 * offered in team mode only (a solo install writes no such entries).
 */
export const AUDIT_AREAS: { value: string; label: string; team?: true }[] = [
  { value: 'key', label: 'Keys' },
  { value: 'provider', label: 'Providers' },
  { value: 'route', label: 'Routes' },
  { value: 'prompt', label: 'Prompts' },
  { value: 'config', label: 'Config (imports and other edits)' },
  { value: 'settings', label: 'Settings' },
  { value: 'policy', label: 'Redaction and cache' },
  { value: 'backup', label: 'Backups' },
  { value: 'gateway', label: 'Pause and resume' },
  { value: 'auth', label: 'Sign-ins', team: true },
]
export const AUDIT_ACTIONS = [
  'key.create',
  'key.update',
  'key.rotate',
  'key.revoke',
  'provider.create',
  'provider.update',
  'provider.delete',
  'route.create',
  'route.update',
  'route.delete',
  'prompt.version',
  'prompt.label',
  'prompt.delete',
  'config.import',
  'config.update',
  'settings.update',
  'policy.update',
  'backup.create',
  'backup.restore',
  'backup.delete',
  'gateway.pause',
  'gateway.resume',
]
/** Team mode's single sign-in actions (team/sign-in-audit.ts), listed after AUDIT_ACTIONS there. */
export const TEAM_AUDIT_ACTIONS = ['auth.sign-in', 'auth.sign-in-failed', 'auth.sign-out']

/** The filters as typed, kept in the URL; dates are `YYYY-MM-DD` in the display zone, both days included. */
export interface AuditFilters {
  action: string
  actor: string
  q: string
  from: string
  to: string
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = { action: '', actor: '', q: '', from: '', to: '' }

/** Local midnight of a `YYYY-MM-DD` day, `days` later. */
function dayStart(day: string, days = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return undefined
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).toISOString()
}

export function toAuditQuery(f: AuditFilters): AuditQuery {
  return {
    action: f.action || undefined,
    actor: f.actor || undefined,
    q: f.q.trim() || undefined,
    since: dayStart(f.from),
    // The `to` day is included: the range ends at the start of the day after it.
    until: dayStart(f.to, 1),
  }
}

export const hasAuditFilters = (f: AuditFilters) => Object.values(f).some((v) => v !== '')

/** The Audit tab's filters (its entries are a query: queries/audit.ts). */
export interface AuditSlice {
  auditFilters: AuditFilters
  setAuditFilters(patch: Partial<AuditFilters>): void
}

export const createAuditSlice: StateCreator<AuditSlice, [], [], AuditSlice> = (set, get) => ({
  auditFilters: EMPTY_AUDIT_FILTERS,
  setAuditFilters: (patch) => set({ auditFilters: { ...get().auditFilters, ...patch } }),
})
