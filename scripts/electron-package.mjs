// What state the optional `electron` package is in, read from disk without loading it: its index.js throws
// when the binary is missing, with a message ("delete node_modules/electron and try again") that is wrong
// on a machine that simply cannot reach github.com.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The exact Electron version this checkout installs: the lockfile's, else package.json's pin. Null when
 * neither names one exact version.
 * @param {string} root the project folder
 * @returns {string | null}
 */
export function lockedElectronVersion(root) {
  try {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
    const version = lock.packages?.['node_modules/electron']?.version
    if (typeof version === 'string') return version
  } catch {
    // No lockfile (or an unreadable one): fall back to package.json.
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const pinned = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron
  return typeof pinned === 'string' && /^\d+\.\d+\.\d+$/.test(pinned) ? pinned : null
}

/**
 * @typedef {{ kind: 'ready', binary: string }
 *   | { kind: 'no-package' }
 *   | { kind: 'no-binary' }
 *   | { kind: 'no-display', binary: string }} ElectronStatus
 */

/**
 * Whether the desktop app can start: the package, its downloaded binary (install.js writes `path.txt`
 * next to `dist/` once the download worked) and, on Linux, a display.
 * @param {{ dir: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform }} where
 * @returns {ElectronStatus}
 */
export function electronStatus({ dir, env, platform }) {
  if (!existsSync(join(dir, 'package.json'))) return { kind: 'no-package' }
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) return { kind: 'no-binary' }
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return { kind: 'no-binary' }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { kind: 'no-display', binary }
  return { kind: 'ready', binary }
}

/**
 * Why the desktop app cannot start here and what to do about it. A plain `npm install` cures both missing
 * cases: npm does not take a restored package for its own install, so it reinstalls it and retries the download.
 * @param {Exclude<ElectronStatus['kind'], 'ready'>} kind
 * @param {string | null} version
 */
export function whyNoDesktopApp(kind, version) {
  const getIt =
    `To get the desktop app, run \`npm install\` again where github.com is reachable (it downloads Electron` +
    `${version ? ` ${version}` : ''}), or install a packaged release.`
  switch (kind) {
    case 'no-package':
      return `Electron is not installed (npm left out the optional \`electron\` package). ${getIt}`
    case 'no-binary':
      return (
        "Electron's desktop binary is not installed (its download during npm install failed, e.g. no access to " +
        `github.com). ${getIt}`
      )
    case 'no-display':
      return 'There is no display (neither DISPLAY nor WAYLAND_DISPLAY is set) for the desktop window.'
  }
}
