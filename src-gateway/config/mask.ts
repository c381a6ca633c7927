/**
 * What the UI may show of a secret: enough to recognise it (`sk-…abcd`), never enough to use it. Short
 * values show nothing, since four characters of an eight-character key are half of it.
 */
export function maskSecret(value: string): string {
  if (value.length < 12) return '…'
  return `${value.slice(0, 3)}…${value.slice(-4)}`
}
