import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { helpOf } from './cli-help.js'
import { escapeRegExp, ROOT, sourceTexts } from './repo-text.js'
import { type ShellCommand, words } from './shell-lines.js'

/** Where the docs say the gateway listens; a curl to it runs against the test's gateway. */
export const DOCS_URL = 'http://127.0.0.1:4141'

export type CommandKind = 'curl' | 'cli' | 'npm' | 'export' | 'other'

/** Rule 4: which check a command of an sh block gets. */
export function commandKind(text: string): CommandKind {
  const [program, second, third] = words(text)
  if (program === 'curl') return text.includes(DOCS_URL) ? 'curl' : 'other'
  if (program === 'switchyard' || (program === 'node' && second === 'dist/gateway/cli.js')) return 'cli'
  if (program === 'npm' && ['install', 'ci', 'start', 'test', 'run'].includes(second ?? '')) {
    return second === 'run' && third === 'serve' ? 'cli' : 'npm'
  }
  if (program === 'export') return 'export'
  return 'other'
}

const scripts = (): Record<string, string> => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts

/** `npm install|ci|start|test|run X`: the script it runs exists (install and ci run none of their own). */
export function npmProblems(text: string): string[] {
  const [, command, script] = words(text)
  const name = command === 'run' ? script : command
  if (command === 'install' || command === 'ci' || scripts()[name] !== undefined) return []
  return [`package.json has no script "${name}"`]
}

/**
 * `switchyard …`, `node dist/gateway/cli.js …`, `npm run serve -- …`: the subcommand exists and every
 * option the example uses is in that subcommand's `--help`.
 */
export async function cliProblems(text: string): Promise<string[]> {
  const all = words(text)
  const dashes = all.indexOf('--')
  const args =
    all[0] === 'npm' ? ['serve', ...(dashes < 0 ? [] : all.slice(dashes + 1))] : all.slice(all[0] === 'node' ? 2 : 1)
  // `[--format yaml|json]` is a synopsis: brackets and alternatives are not part of the words.
  const tokens = args.flatMap((a) => a.replace(/[[\]]/g, '').split('|')).filter(Boolean)
  const command = tokens[0]?.startsWith('-') ? '' : (tokens[0] ?? '')
  const problems = all[0] === 'npm' ? npmProblems(text) : []
  const help = await helpOf(command)
  if (help === undefined) return [...problems, `switchyard has no command "${command}"`]
  for (const option of tokens.filter((t) => /^--?[a-z]/i.test(t)).map((t) => t.split('=')[0])) {
    if (!new RegExp(`(?<![\\w-])${escapeRegExp(option)}(?![\\w-])`).test(help)) {
      problems.push(`${['switchyard', command].filter(Boolean).join(' ')} --help does not list ${option}`)
    }
  }
  return problems
}

/**
 * `export NAME=value`, a tool's environment: a test under test/tools/ sets NAME (so the tool is known to
 * read it), and a URL value points at the gateway.
 */
export function exportProblems(text: string): string[] {
  const m = /^export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text)
  if (!m) return ['is not `export NAME=value`']
  const [, name, raw] = m
  const value = raw.trim().replace(/^(["'])(.*)\1$/, '$2')
  const problems: string[] = []
  const toolTests = [...sourceTexts(['test/tools']).values()]
  if (!toolTests.some((t) => new RegExp(`\\b${name}\\b`).test(t)))
    problems.push(`no test under test/tools/ sets ${name}`)
  if (/^[a-z]+:\/\//i.test(value) && !value.startsWith(DOCS_URL))
    problems.push(`${name}=${value} is not the gateway (${DOCS_URL})`)
  return problems
}

/** The line of an `other` command: what to do instead. */
export function otherProblem(command: ShellCommand): string {
  return `line ${command.line}: \`${command.text}\` is none of curl to the gateway, switchyard, npm or export NAME=…: give the block <!-- copied-from: … --> or rewrite it`
}
