import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildIfStale, isUpToDate, newestMtime } from '../../scripts/builds.mjs'
import { electronStatus, lockedElectronVersion, whyNoDesktopApp } from '../../scripts/electron-package.mjs'

// The parts of `npm install` / `npm start` / `npm run serve` that decide what to do: whether Electron can
// start, what to tell the user when it cannot, whether a build can be skipped, and the install step that
// puts Electron's types back when npm dropped the package.

const repoRoot = join(import.meta.dirname, '..', '..')
const temps: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-start-'))
  temps.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function write(path: string, text = ''): string {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}
/** Sets a path's modification time to `seconds` after an arbitrary fixed moment. */
function age(path: string, seconds: number): void {
  const t = new Date(Date.UTC(2026, 0, 1) + seconds * 1000)
  utimesSync(path, t, t)
}

describe('electronStatus', () => {
  const linux = (dir: string, env: NodeJS.ProcessEnv = {}) => electronStatus({ dir, env, platform: 'linux' })

  it('tells a missing package from a package whose binary never downloaded', () => {
    const dir = join(tempDir(), 'electron')
    expect(linux(dir)).toEqual({ kind: 'no-package' })
    write(join(dir, 'package.json'), '{"name":"electron","version":"41.7.1"}')
    expect(linux(dir)).toEqual({ kind: 'no-binary' })
    // path.txt written but the binary it names is gone
    write(join(dir, 'path.txt'), 'electron')
    expect(linux(dir)).toEqual({ kind: 'no-binary' })
  })

  it('is ready with the binary install.js recorded, and needs a display on Linux only', () => {
    const dir = join(tempDir(), 'electron')
    write(join(dir, 'package.json'), '{}')
    write(join(dir, 'path.txt'), 'electron')
    const binary = write(join(dir, 'dist', 'electron'))
    expect(linux(dir)).toEqual({ kind: 'no-display', binary })
    expect(linux(dir, { DISPLAY: ':0' })).toEqual({ kind: 'ready', binary })
    expect(linux(dir, { WAYLAND_DISPLAY: 'wayland-0' })).toEqual({ kind: 'ready', binary })
    expect(electronStatus({ dir, env: {}, platform: 'darwin' })).toEqual({ kind: 'ready', binary })
  })
})

describe('whyNoDesktopApp', () => {
  it('says plainly that the binary download failed and how to get the desktop app', () => {
    const text = whyNoDesktopApp('no-binary', '41.7.1')
    expect(text).toContain("Electron's desktop binary is not installed (its download during npm install failed")
    expect(text).toContain('run `npm install` again where github.com is reachable (it downloads Electron 41.7.1)')
    expect(text).not.toContain('delete node_modules/electron')
    expect(whyNoDesktopApp('no-package', null)).toContain('npm left out the optional `electron` package')
    expect(whyNoDesktopApp('no-display', null)).toContain('DISPLAY')
  })
})

describe('lockedElectronVersion', () => {
  it("is this checkout's pinned version", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
    expect(lockedElectronVersion(repoRoot)).toBe(pkg.optionalDependencies.electron)
  })

  it("falls back to package.json's exact pin, and gives up on a range", () => {
    const root = tempDir()
    write(join(root, 'package.json'), '{"optionalDependencies":{"electron":"41.7.1"}}')
    expect(lockedElectronVersion(root)).toBe('41.7.1')
    write(join(root, 'package.json'), '{"optionalDependencies":{"electron":"^41.0.0"}}')
    expect(lockedElectronVersion(root)).toBeNull()
    write(join(root, 'package-lock.json'), '{"packages":{"node_modules/electron":{"version":"41.7.1"}}}')
    expect(lockedElectronVersion(root)).toBe('41.7.1')
  })
})

describe('build freshness', () => {
  function project() {
    const root = tempDir()
    const src = join(root, 'src')
    const input = write(join(src, 'a.ts'), 'a')
    const output = write(join(root, 'dist', 'out.js'))
    const stamp = join(root, 'dist', '.stamp')
    for (const p of [input, src, output]) age(p, 0)
    return { root, src, input, output, build: { stamp, inputs: [src], outputs: [output] } }
  }

  it('is stale without a stamp, fresh after one, stale again when a source changes', () => {
    const { input, build } = project()
    expect(isUpToDate(build)).toBe(false)
    write(build.stamp)
    age(build.stamp, 10)
    expect(isUpToDate(build)).toBe(true)
    age(input, 11)
    expect(isUpToDate(build)).toBe(false)
  })

  it('counts a deleted source (its folder changes) and a missing output, but not a test file', () => {
    const { src, output, build } = project()
    write(build.stamp)
    age(build.stamp, 10)
    age(write(join(src, 'a.test.ts')), 20)
    age(src, 5)
    expect(isUpToDate(build)).toBe(true)
    rmSync(join(src, 'a.ts'))
    age(src, 30)
    expect(isUpToDate(build)).toBe(false)
    age(src, 5)
    expect(isUpToDate(build)).toBe(true)
    rmSync(output)
    expect(isUpToDate(build)).toBe(false)
  })

  it('newestMtime ignores paths that do not exist', () => {
    const { input, root } = project()
    age(input, 42)
    expect(newestMtime([join(root, 'nope'), input])).toBe(Date.UTC(2026, 0, 1) + 42_000)
  })

  it('buildIfStale runs the steps once, then skips them until a source changes', () => {
    const { root, input, output, build } = project()
    const runs = join(root, 'runs.txt')
    const step = ['-e', `require('fs').appendFileSync(${JSON.stringify(runs)}, 'x')`]
    const said: string[] = []
    const full = { ...build, label: 'the thing', steps: [step] }
    buildIfStale(root, full, (line) => said.push(line))
    buildIfStale(root, full, (line) => said.push(line))
    expect(readFileSync(runs, 'utf8')).toBe('x')
    expect(said).toEqual([
      'Switchyard: building the thing…',
      'Switchyard: nothing changed since the last build of the thing; not building it again.',
    ])
    age(input, Date.now() / 1000)
    age(output, 0)
    buildIfStale(root, full, () => {})
    expect(readFileSync(runs, 'utf8')).toBe('xx')
  })
})

describe('ensure-electron (postinstall)', () => {
  /** A copy of the install step in a project of its own, so it restores into that project's node_modules. */
  function project(lockedVersion: string) {
    const root = tempDir()
    for (const f of ['ensure-electron.mjs', 'electron-package.mjs']) {
      copyFileSync(join(repoRoot, 'scripts', f), write(join(root, 'scripts', f)))
    }
    write(join(root, 'package.json'), '{"name":"p","private":true}')
    write(
      join(root, 'package-lock.json'),
      JSON.stringify({ packages: { 'node_modules/electron': { version: lockedVersion } } }),
    )
    mkdirSync(join(root, 'node_modules'))
    return root
  }
  const run = (root: string) =>
    spawnSync(process.execPath, [join(root, 'scripts', 'ensure-electron.mjs')], { cwd: root, encoding: 'utf8' })

  it('puts back the locked electron package with its types but no binary, and does nothing once it is there', {
    timeout: 120_000,
  }, () => {
    const root = project('41.7.1')
    // what a failed install can leave behind: a folder without package.json
    write(join(root, 'node_modules', 'electron', 'leftover'))
    const first = run(root)
    expect(first.status).toBe(0)
    expect(first.stdout).toContain('restored electron@41.7.1 without its binary')
    const dir = join(root, 'node_modules', 'electron')
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version).toBe('41.7.1')
    expect(existsSync(join(dir, 'electron.d.ts'))).toBe(true)
    expect(existsSync(join(dir, 'dist'))).toBe(false)
    expect(existsSync(join(dir, 'leftover'))).toBe(false)
    expect(electronStatus({ dir, env: { DISPLAY: ':0' }, platform: 'linux' })).toEqual({ kind: 'no-binary' })

    const again = run(root)
    expect(again.status).toBe(0)
    expect(again.stdout).toBe('')
  })

  it('never fails the install: one line and exit 0 when the package cannot be fetched', { timeout: 120_000 }, () => {
    const root = project('0.0.0-switchyard-does-not-exist')
    const r = run(root)
    expect(r.status).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    expect(r.stdout).toContain('Electron is not installed and its types could not be restored')
    expect(r.stdout).toContain('No matching version found for electron@0.0.0-switchyard-does-not-exist')
    expect(existsSync(join(root, 'node_modules', 'electron'))).toBe(false)
  })
})
