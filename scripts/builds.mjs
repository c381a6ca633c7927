// The two builds `npm start` and `npm run serve` need, and when they can be skipped: a build is up to date
// when nothing among its inputs (files and folders, so a deletion counts too) is newer than the stamp file
// written when it last succeeded. A build started by hand (`npm run build:headless`) writes no stamp, so the
// next start builds once more: skipping wrongly would serve stale code, building again only costs time.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * @typedef {{ label: string, stamp: string, inputs: string[], outputs: string[], steps: string[][] }} Build
 * `steps` are argument lists for `node`, so no shell and no `.cmd` shims are involved on Windows.
 */

const sharedInputs = ['src-shared', 'src-renderer', 'package.json', 'package-lock.json']

/** @param {string} root @returns {Build} */
export function headlessBuild(root) {
  return {
    label: 'the web UI and the gateway',
    stamp: join(root, 'dist', '.headless-build-stamp'),
    inputs: [...sharedInputs, 'src-gateway', 'vite.web.config.ts', 'tsconfig.gateway.json', 'tsconfig.shared.json'].map(
      (p) => join(root, p),
    ),
    outputs: ['dist/web/index.html', 'dist/gateway/cli.js'].map((p) => join(root, p)),
    steps: [
      [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'],
      // -b: the gateway's project references src-shared's contract (tsconfig.shared.json), built first.
      [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.gateway.json'],
    ],
  }
}

/** @param {string} root @returns {Build} */
export function desktopBuild(root) {
  return {
    label: 'the desktop app',
    stamp: join(root, 'out', '.desktop-build-stamp'),
    inputs: [...sharedInputs, 'src-gateway', 'src-main', 'resources', 'electron.vite.config.ts'].map((p) =>
      join(root, p),
    ),
    outputs: ['out/main/index.js', 'out/preload/preload.cjs', 'out/renderer/index.html'].map((p) => join(root, p)),
    steps: [[join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn']],
  }
}

/**
 * Newest modification time (ms) among the given files and folders and everything below them, skipping
 * tests (they are not part of any build). Missing paths count as 0.
 * @param {string[]} paths
 * @returns {number}
 */
export function newestMtime(paths) {
  let newest = 0
  const visit = (path) => {
    let st
    try {
      st = statSync(path)
    } catch {
      return
    }
    newest = Math.max(newest, st.mtimeMs)
    if (!st.isDirectory()) return
    for (const entry of readdirSync(path)) {
      if (!/\.test\.tsx?$/.test(entry)) visit(join(path, entry))
    }
  }
  for (const path of paths) visit(path)
  return newest
}

/**
 * @param {Pick<Build, 'stamp' | 'inputs' | 'outputs'>} build
 * @returns {boolean} true when the stamp and every output exist and no input is newer than the stamp
 */
export function isUpToDate(build) {
  if (![build.stamp, ...build.outputs].every((p) => existsSync(p))) return false
  return newestMtime(build.inputs) <= statSync(build.stamp).mtimeMs
}

/**
 * Runs the build unless it is up to date, saying which. Exits the process when a step fails.
 * @param {string} root
 * @param {Build} build
 * @param {(line: string) => void} say
 */
export function buildIfStale(root, build, say) {
  if (isUpToDate(build)) {
    say(`Switchyard: nothing changed since the last build of ${build.label}; not building it again.`)
    return
  }
  say(`Switchyard: building ${build.label}…`)
  // Stamped with the start time, so a file saved while the build runs makes the next start build again.
  const started = new Date()
  for (const step of build.steps) {
    const r = spawnSync(process.execPath, step, { cwd: root, stdio: 'inherit' })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
  mkdirSync(dirname(build.stamp), { recursive: true })
  writeFileSync(build.stamp, `${started.toISOString()}\n`)
  utimesSync(build.stamp, started, started)
}
