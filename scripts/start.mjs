#!/usr/bin/env node
// `npm start`: the desktop app where Electron and a display exist; otherwise the headless gateway with
// the web UI, after saying why. Builds what it runs first, so it works right after `npm install`.
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const args = process.argv.slice(2)

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

/** Why the desktop app cannot start here, or null when it can. */
function electronUnavailable() {
  let electronPath
  try {
    // The `electron` package exports the path of its binary, and throws when the binary is missing.
    electronPath = createRequire(import.meta.url)('electron')
  } catch (err) {
    return { reason: `Electron is not installed (${String(err.message).split('\n')[0]})` }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' }
  }
  return { electronPath }
}

const check = electronUnavailable()
if (check.electronPath) {
  run(bin('electron-vite'), ['build'])
  const child = spawn(check.electronPath, [root, ...args], { cwd: root, stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  process.stdout.write(`Switchyard: ${check.reason}; starting the headless gateway with the web UI instead.\n`)
  run(bin('vite'), ['build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'])
  run(bin('tsc'), ['-p', 'tsconfig.gateway.json'])
  const child = spawn(process.execPath, [join(root, 'dist/gateway/cli.js'), 'serve', ...args], {
    cwd: root,
    stdio: 'inherit',
  })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code) => process.exit(code ?? 0))
}
