import type { AuditChange } from '../../src-shared/contract/audit.js'
import { sameValue } from '../config/config-diff.js'
import { isPlainObject } from '../core/json-values.js'

/** One changed value (stated by the admin contract): `before` is absent when it was added, `after` when it was removed. */
export type { AuditChange }

/**
 * The values that differ between two JSON-like states, field by field through objects. An added or
 * removed object is one change holding all of it; arrays (route targets, messages) change as a whole,
 * which reads better than index-by-index when an element is inserted.
 */
export function diffValues(before: unknown, after: unknown, path: string[] = []): AuditChange[] {
  if (sameValue(before, after)) return []
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: AuditChange[] = []
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      out.push(...diffValues(before[key], after[key], [...path, key]))
    }
    return out
  }
  const change: AuditChange = { path: path.join('.') }
  if (before !== undefined) change.before = before
  if (after !== undefined) change.after = after
  return [change]
}
