/** One CSV field per RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`
}
