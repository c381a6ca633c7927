/**
 * Compiles a model glob (`*` any run of characters, `/` included; `?` one character) into a matcher.
 * Globs are written by the admin in config, so the pattern is escaped rather than trusted as a regex.
 */
export function compileGlob(glob: string): (name: string) => boolean {
  const source = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  const re = new RegExp(`^${source}$`)
  return (name) => re.test(name)
}

/** Whether `name` matches any of the globs. */
export function matchesAnyGlob(matchers: ((name: string) => boolean)[], name: string): boolean {
  return matchers.some((m) => m(name))
}
