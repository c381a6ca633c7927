import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { stringify } from 'yaml'
import { refuseWhileServed } from '../backup/data-dir-lock.js'
import { loadConfigFile } from '../config/load.js'
import type { GatewayConfig, McpServerConfig } from '../config/schema.js'
import { maskedUrl } from '../config/secret-fields.js'
import {
  createMemorySecretStore,
  defaultSecretStore,
  ENCRYPTED_FILE_NAME,
  KEYCHAIN_FILE_NAME,
} from '../config/secrets.js'
import { ConfigStore } from '../config/store.js'
import { type Discovery, discoverServers, type FoundServer } from '../mcp/import/discover.js'
import { TOOL_NAMES } from '../mcp/import/locations.js'
import { type ImportPlan, planImport } from '../mcp/import/plan.js'
import { type Command, UsageError } from './args.js'
import { FILE_OPTIONS, fileTarget } from './data-dir.js'
import { fail, userErrors } from './output.js'

// `switchyard mcp import`: the MCP servers Claude Code, Claude Desktop, Cursor and VS Code have configured
// on this machine, copied into `mcp.servers` so they are set up once, in Switchyard. Like `import --apply`
// it writes the files of a stopped gateway (a running one would overwrite the change with its own view);
// plain env and header values go to the secret store on the way, as they do when saved from the UI.

/** How a server is shown in the list: its program or address, never a credential in a URL, and short. */
function summary(s: McpServerConfig): string {
  const text = s.url !== undefined ? maskedUrl(s.url, () => '****') : [s.command, ...(s.args ?? [])].join(' ')
  return text.length > 70 ? `${text.slice(0, 69)}…` : text
}

const whereFrom = (f: FoundServer) => `${TOOL_NAMES[f.tool]}, ${f.file}${f.section ? ` ${f.section}` : ''}`

/** The numbered list of what was found, as lines. */
function listing(d: Discovery): string {
  const lines: string[] = []
  if (d.found.length === 0) lines.push('No MCP servers found in Claude Code, Claude Desktop, Cursor or VS Code.')
  else lines.push('MCP servers configured on this machine:')
  for (const [i, f] of d.found.entries()) {
    lines.push(`  ${String(i + 1).padStart(2)}. ${f.name}  (${whereFrom(f)})`)
    lines.push(f.converted.ok ? `      ${summary(f.converted.server)}` : `      cannot import: ${f.converted.reason}`)
  }
  for (const u of d.unreadable) lines.push(`  (not read: ${u.file}: ${u.problem})`)
  return `${lines.join('\n')}\n`
}

/** The servers `--only` names (by their name in the tool), every importable one for `--all`. */
function chooseByFlags(d: Discovery, only: string | undefined): FoundServer[] {
  const importable = d.found.filter((f) => f.converted.ok)
  if (only === undefined) return importable
  const names = only
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !d.found.some((f) => f.name === n))
  if (unknown.length > 0) fail(`no server named ${unknown.join(', ')} was found (see the list above)`)
  const refused = names.filter((n) => !importable.some((f) => f.name === n))
  if (refused.length > 0) fail(`${refused.join(', ')} cannot be imported (see the reason above)`)
  return importable.filter((f) => names.includes(f.name))
}

/** Asks which servers to import, by number; empty answer imports none. */
async function chooseInteractively(d: Discovery): Promise<FoundServer[]> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  // Ctrl+C or Ctrl+D at the question: nothing chosen, not a crash.
  const stop = new AbortController()
  rl.on('SIGINT', () => stop.abort())
  try {
    for (;;) {
      const answer = (
        await rl.question('Import which? Numbers separated by commas, "all", or Enter for none: ', {
          signal: stop.signal,
        })
      ).trim()
      if (answer === '') return []
      if (answer === 'all') return d.found.filter((f) => f.converted.ok)
      const picks = answer.split(',').map((s) => s.trim())
      // The numbers the list shows, 1-based; a typo is named back as typed.
      const pick = (p: string) => (/^\d+$/.test(p) ? d.found[Number(p) - 1] : undefined)
      const bad = picks.filter((p) => !pick(p)?.converted.ok)
      if (bad.length === 0) return picks.map((p) => pick(p) as FoundServer)
      process.stderr.write(`Not an importable number: ${bad.join(', ')}\n`)
    }
  } catch (err) {
    if ((err as Error).name === 'AbortError') return []
    throw err
  } finally {
    rl.close()
  }
}

/** What the plan does, as lines. */
function planReport(plan: ImportPlan): string[] {
  const lines: string[] = []
  for (const a of plan.add) lines.push(`  + ${a.name}  (from ${whereFrom(a.found)})`)
  for (const s of plan.same) lines.push(`  = ${s.found.name}: already configured as ${s.as}`)
  for (const i of plan.invalid) lines.push(`  ! ${i.found.name}: not imported: ${i.problem}`)
  return lines
}

export const mcpImportCommand: Command = {
  spec: {
    name: 'mcp import',
    summary: 'copies MCP servers set up in Claude Code, Claude Desktop, Cursor or VS Code into the config',
    synopsis: '[--all | --only NAME,…] [--dry-run] [--project DIR] [--data-dir DIR] [--config FILE]',
    description:
      'Lists the MCP servers configured on this machine for Claude Code (~/.claude.json, .mcp.json),\n' +
      'Claude Desktop, Cursor (~/.cursor/mcp.json, .cursor/mcp.json) and VS Code (settings.json, mcp.json,\n' +
      '.vscode/mcp.json), then adds the ones chosen to mcp.servers: --all, --only, or by number when run\n' +
      'in a terminal. Env and header values go to the secret store; the config gets ${secret:…} references.\n' +
      'It refuses a data dir a running gateway holds: stop it, or add servers on the MCP servers page.',
    options: {
      all: { type: 'boolean', help: 'imports every server that can be imported' },
      only: { type: 'string', value: 'NAME,…', help: 'imports the servers with these names (as the list shows them)' },
      'dry-run': {
        type: 'boolean',
        help: 'prints the mcp: section it would add (secrets as references) and changes nothing',
      },
      project: {
        type: 'string',
        value: 'DIR',
        help: 'the project whose .mcp.json, .cursor/ and .vscode/ are read (default: the current folder)',
      },
      ...FILE_OPTIONS,
    },
    positionals: [],
  },
  async run({ values }) {
    const { only, project } = values as { only?: string; project?: string }
    const all = values.all === true
    const dryRun = values['dry-run'] === true
    if (all && only !== undefined) throw new UsageError('--all and --only exclude each other', mcpImportCommand.spec)
    // With --dry-run the YAML is the output; everything else goes to stderr.
    const say = (text: string) => (dryRun ? process.stderr : process.stdout).write(text)
    const discovery = userErrors(() =>
      discoverServers({
        home: homedir(),
        platform: process.platform,
        appData: process.env.APPDATA,
        xdgConfigHome: process.env.XDG_CONFIG_HOME,
        project: resolve(project ?? process.cwd()),
      }),
    )
    say(listing(discovery))
    if (!discovery.found.some((f) => f.converted.ok)) return
    let chosen: FoundServer[]
    if (all || only !== undefined) chosen = chooseByFlags(discovery, only)
    else if (process.stdin.isTTY && process.stderr.isTTY) chosen = await chooseInteractively(discovery)
    else fail('choose the servers to import with --all or --only NAME,… (or run it in a terminal to pick)')
    if (chosen.length === 0) return void say('Nothing imported.\n')

    const target = fileTarget(values)
    if (!dryRun) userErrors(() => refuseWhileServed(target.dataDir, 'add the servers on the MCP servers page'))
    const current = userErrors(() => loadConfigFile(target.configPath))
    // A dry run writes nothing, not even a new store's key: it reads an existing store, else uses a throwaway one.
    const hasStore = existsSync(join(target.dataDir, ENCRYPTED_FILE_NAME))
    const store = userErrors(
      () =>
        new ConfigStore(current, {
          configPath: target.configPath,
          dataDir: target.dataDir,
          secrets: dryRun && !hasStore ? createMemorySecretStore() : defaultSecretStore(target.dataDir, current.env),
        }),
    )
    // Resolved with the store, so a server imported before (its token now a reference) is recognised.
    const existing = { raw: store.current.raw.mcp?.servers ?? {}, resolved: store.current.resolved.mcp?.servers ?? {} }
    const plan = planImport(existing, chosen)
    const candidate: GatewayConfig = structuredClone(store.current.raw)
    const servers = { ...existing.raw, ...Object.fromEntries(plan.add.map((a) => [a.name, a.server])) }
    candidate.mcp = { ...candidate.mcp, servers }
    const check = store.check(candidate)
    if (!check.raw) fail(check.errors.map((e) => `${e.path}: ${e.message}`).join('; '))

    if (dryRun) {
      // The plain values as references, exactly as applying would write them.
      const added = Object.fromEntries(plan.add.map((a) => [a.name, check.raw?.mcp?.servers?.[a.name]]))
      say(`${['Would import:', ...planReport(plan)].join('\n')}\n`)
      if (plan.add.length > 0) process.stdout.write(stringify({ mcp: { servers: added } }))
      return
    }
    if (plan.add.length === 0) return void say(`${['Nothing to add:', ...planReport(plan)].join('\n')}\n`)
    const loaded = userErrors(() => store.apply(candidate))
    const sealed = check.secrets
    const lines = [`Imported into ${store.writePath}:`, ...planReport(plan)]
    if (sealed.size > 0) {
      lines.push(`Moved to the secret store (the config has \${secret:…} references): ${[...sealed.keys()].join(', ')}`)
      // The desktop app keeps its secrets in the OS keychain, which this command cannot open.
      if (existsSync(join(target.dataDir, KEYCHAIN_FILE_NAME))) {
        lines.push(
          'Note: these secrets are in the store `switchyard serve` reads; the desktop app reads its own (the OS keychain): enter them there on the MCP servers page.',
        )
      }
    }
    if (loaded.missingEnv.length > 0) lines.push(`Not set in this environment yet: ${loaded.missingEnv.join(', ')}`)
    say(`${lines.join('\n')}\n`)
  },
}
