import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g
const COMMENT_LINE = /^\s*(\/\/|\*).*$/gm
const CHILD_PROCESS = new Set(['node:child_process', 'child_process'])
// The mock upstream is a small plain-Node script, up in milliseconds: a fixture like the servers tests start
// in their own process, not a program under test, so starting it does not make a test a process test.
const FIXTURES = new Set(['helpers/upstreams.ts'])

/** The file a relative import names: TypeScript sources are imported with a `.js` suffix, or none. */
function resolveImport(from: string, spec: string): string | undefined {
  const path = join(dirname(from), spec)
  for (const candidate of [path.replace(/\.js$/, '.ts'), `${path}.ts`, path]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return undefined
}

/**
 * The test files under `dirs` (relative to `root`) that start processes: they import child_process, or a module
 * that does, at any depth (the helpers that run `switchyard serve` or the CLI from source, a coding tool, the
 * docs' curl, the desktop's gateway child). Found by their imports, so a new such test needs no list.
 */
export function processTests(root: string, dirs: string[]): string[] {
  const imports = new Map<string, string[]>()
  const spawning = new Set<string>()
  const read = (file: string) => {
    if (imports.has(file)) return
    const deps: string[] = []
    imports.set(file, deps)
    const code = readFileSync(file, 'utf8').replace(COMMENT_LINE, '')
    for (const [, spec] of code.matchAll(IMPORT)) {
      if (CHILD_PROCESS.has(spec) && !FIXTURES.has(relative(join(root, 'test'), file))) spawning.add(file)
      const target = spec.startsWith('.') ? resolveImport(file, spec) : undefined
      if (target) {
        deps.push(target)
        read(target)
      }
    }
  }
  const tests = dirs.flatMap((dir) =>
    (readdirSync(join(root, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => join(root, dir, f)),
  )
  for (const test of tests) read(test)
  // Spreads from the modules that import child_process to everything that imports them, until nothing changes.
  for (let grew = true; grew; ) {
    grew = false
    for (const [file, deps] of imports) {
      if (!spawning.has(file) && deps.some((d) => spawning.has(d))) {
        spawning.add(file)
        grew = true
      }
    }
  }
  return tests.filter((t) => spawning.has(t)).map((t) => relative(root, t))
}
