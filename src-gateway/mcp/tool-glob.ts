/**
 * Whether a name matches a glob where `*` stands for any run of characters and everything else is literal
 * (`write_*`, `github__*`). Matched without regular expressions, so a glob from the config cannot be a
 * catastrophic pattern.
 */
export function globMatches(glob: string, name: string): boolean {
  const parts = glob.split('*')
  if (parts.length === 1) return glob === name
  const first = parts[0]
  const last = parts[parts.length - 1]
  if (!name.startsWith(first) || name.length < first.length + last.length || !name.endsWith(last)) return false
  let at = first.length
  const end = name.length - last.length
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at)
    if (found < 0 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}
