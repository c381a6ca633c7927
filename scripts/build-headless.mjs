#!/usr/bin/env node
// `npm run serve` and `npm run test:e2e`: build the web UI and the gateway only when their sources changed.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIfStale, headlessBuild } from './builds.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
buildIfStale(root, headlessBuild(root), (line) => process.stdout.write(`${line}\n`))
