/**
 * Compiles a model glob (`*` any run of characters, `/` included; `?` one character) into a matcher.
 * Globs are written by the admin in config and model names by callers, so neither is trusted as a regex:
 * matching walks both strings, and on a mismatch only the last `*` takes one more character. That is at
 * most name × glob steps, where a regex such as `^.*-.*-.*-x$` backtracks polynomially on a long name.
 */
export function compileGlob(glob: string): (name: string) => boolean {
  return (name) => {
    let g = 0
    let n = 0
    let star = -1
    let resume = 0
    while (n < name.length) {
      if (glob[g] === '*') {
        star = g++
        resume = n
      } else if (g < glob.length && (glob[g] === '?' || glob[g] === name[n])) {
        g++
        n++
      } else if (star >= 0) {
        g = star + 1
        n = ++resume
      } else {
        return false
      }
    }
    while (glob[g] === '*') g++
    return g === glob.length
  }
}

/** Whether `name` matches any of the globs. */
export function matchesAnyGlob(matchers: ((name: string) => boolean)[], name: string): boolean {
  return matchers.some((m) => m(name))
}
