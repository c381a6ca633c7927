#!/usr/bin/env node
// postinstall: where Electron's binary could not be downloaded (no access to github.com), npm drops the
// optional `electron` package without a word, and with it `electron.d.ts`, so `npm test`'s typecheck of
// src-main fails. Put the package back from the npm registry WITHOUT running its install script: the types
// and version are there, the binary is not, and `npm start` says so and runs headless. Never fails the
// install: where it cannot help it prints one line and exits 0. Does nothing where Electron installed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lockedElectronVersion } from './electron-package.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const target = join(root, 'node_modules', 'electron')
const say = (line) => process.stdout.write(`switchyard: ${line}\n`)

/** npm as the running install invoked it (npm_execpath), else the one on PATH. */
function npm(args) {
  const cli = process.env.npm_execpath
  return cli?.endsWith('.js')
    ? spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' })
    : spawnSync('npm', args, { encoding: 'utf8', shell: process.platform === 'win32' })
}

/** The line of npm's error output that says what went wrong (the first one only names a code). */
function firstError(stderr) {
  return (stderr ?? '')
    .split('\n')
    .map((line) => line.replace(/^npm error /, '').trim())
    .find((line) => line && !line.startsWith('code '))
}

/** Fetches electron@version's tarball (from npm's cache when there) and unpacks it as node_modules/electron. */
function restore(version) {
  const tmp = mkdtempSync(join(tmpdir(), 'switchyard-electron-'))
  // Unpacked next to its destination, so the final rename stays on one file system.
  const staging = mkdtempSync(join(root, 'node_modules', '.electron-'))
  try {
    const pack = npm([
      'pack',
      `electron@${version}`,
      '--pack-destination',
      tmp,
      '--ignore-scripts',
      '--prefer-offline',
      '--loglevel=error',
    ])
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'))
    if (pack.status !== 0 || !tarball) {
      throw new Error(`npm pack failed: ${firstError(pack.stderr) || pack.error?.message}`)
    }
    const tar = spawnSync('tar', ['-xzf', join(tmp, tarball), '-C', staging], { encoding: 'utf8' })
    if (tar.status !== 0) throw new Error(`tar failed: ${(tar.stderr || tar.error?.message || '').trim()}`)
    // A folder without package.json is what a failed install left behind: nothing in it to keep.
    rmSync(target, { recursive: true, force: true })
    renameSync(join(staging, 'package'), target)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
    rmSync(staging, { recursive: true, force: true })
  }
}

const omitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('optional')
if (!existsSync(join(target, 'package.json')) && !omitted && existsSync(join(root, 'node_modules'))) {
  const version = lockedElectronVersion(root)
  try {
    if (!version) throw new Error('package-lock.json names no electron version')
    restore(version)
    say(
      `Electron's binary could not be downloaded (e.g. no access to github.com), so npm left out the optional ` +
        `electron package; restored electron@${version} without its binary for its types. ` +
        '`npm start` runs the headless gateway and web UI.',
    )
  } catch (err) {
    say(
      `Electron is not installed and its types could not be restored (${err.message}); ` +
        '`npm run typecheck` will fail on src-main until it is. `npm start` runs the headless gateway and web UI.',
    )
  }
}
