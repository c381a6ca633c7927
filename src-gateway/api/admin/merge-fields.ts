/**
 * A PUT body laid over the stored resource: a field given replaces the stored one, `null` removes it, and a
 * field left out stays as it was. So no client drops a field it does not show (a form older than the config
 * file, a script that changes one setting), and removing one is stated. A nested object is one field: given,
 * it is replaced whole.
 */
export function mergeFields<T extends object>(stored: T | undefined, body: object): T {
  const merged: Record<string, unknown> = { ...stored }
  for (const [field, value] of Object.entries(body)) {
    if (value === null) delete merged[field]
    else if (value !== undefined) merged[field] = value
  }
  return merged as T
}

/**
 * A create body without its `null`s: on a new resource there is nothing to remove, so a field given as `null`
 * is as if left out (a form sends its emptied fields so); anything but a JSON object is returned as it is.
 */
export function withoutNulls<T>(body: T): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null)) as T
}
