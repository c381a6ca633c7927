import { readFileSync } from 'node:fs'
import { appRoot } from './paths.js'

export const VERSION: string = JSON.parse(readFileSync(`${appRoot}/package.json`, 'utf8')).version
