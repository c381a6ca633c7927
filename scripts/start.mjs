#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary and a display exist; otherwise the headless gateway
// with the web UI, after saying why and how to get the desktop app. Builds what it runs when its sources
// changed, so it works right after `npm install` and starts at once the next time.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIfStale, desktopBuild, headlessBuild } from './builds.mjs'
import { electronStatus, lockedElectronVersion, whyNoDesktopApp } from './electron-package.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const say = (line) => process.stdout.write(`${line}\n`)

function run(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code) => process.exit(code ?? 0))
}

const status = electronStatus({
  dir: join(root, 'node_modules', 'electron'),
  env: process.env,
  platform: process.platform,
})
if (status.kind === 'ready') {
  buildIfStale(root, desktopBuild(root), say)
  run(status.binary, [root, ...args])
} else {
  say(`Switchyard: ${whyNoDesktopApp(status.kind, lockedElectronVersion(root))}`)
  say('Switchyard: starting the headless gateway with the web UI instead.')
  buildIfStale(root, headlessBuild(root), say)
  run(process.execPath, [join(root, 'dist/gateway/cli.js'), 'serve', ...args])
}
