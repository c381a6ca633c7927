/** Rewrites one string; `key` is the nearest object key above it (items of an array share their array's). */
export type StringEdit = (text: string, key: string | undefined) => string
/** Whether a field, and everything under it, is left out of the walk; `parent` is the object holding it. */
export type FieldSkip = (key: string, value: unknown, parent: Record<string, unknown>) => boolean

/**
 * Passes every string of a JSON value through `edit`, copy-on-write: only the arrays and objects on the
 * path to a changed string are copied, the input is never mutated, and when nothing changed the very
 * same value comes back, so callers can tell by identity.
 */
export function editStrings(value: unknown, edit: StringEdit, skip: FieldSkip, key?: string): unknown {
  if (typeof value === 'string') return edit(value, key)
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      const next = editStrings(item, edit, skip, key)
      if (next !== item) {
        copy ??= value.slice()
        copy[i] = next
      }
    }
    return copy ?? value
  }
  const object = value as Record<string, unknown>
  let copy: Record<string, unknown> | undefined
  for (const k of Object.keys(object)) {
    const field = object[k]
    if (skip(k, field, object)) continue
    const next = editStrings(field, edit, skip, k)
    if (next !== field) {
      copy ??= { ...object }
      copy[k] = next
    }
  }
  return copy ?? value
}
