import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { defaultSecretStore } from '../../src-gateway/config/secrets.js'
import { runTool, tempDir } from '../helpers/run-tool.js'

// `switchyard mcp import` against a fake home holding each tool's own file, in the formats the tools
// write: Claude Code's ~/.claude.json (user and per-project servers) and a project's .mcp.json, Claude
// Desktop's claude_desktop_config.json (Linux: ~/.config/Claude), Cursor's ~/.cursor/mcp.json, VS Code's
// settings.json (JSONC, `mcp.servers`) and a workspace's .vscode/mcp.json.

const root = join(import.meta.dirname, '..', '..')
const GITHUB_PAT = 'ghp_importtest0123456789abcdef'
const EVERYTHING_KEY = 'sk-everything-import-test-42'

let dir: { path: string; remove(): Promise<void> }
let home: string
let project: string
let data: string

function write(path: string, text: string) {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

beforeEach(async () => {
  dir = await tempDir('switchyard-mcp-import-')
  home = join(dir.path, 'home')
  project = join(dir.path, 'project')
  data = join(dir.path, 'data')
  mkdirSync(data, { recursive: true })
  write(
    join(home, '.claude.json'),
    JSON.stringify({
      numStartups: 12,
      mcpServers: {
        github: {
          type: 'http',
          url: 'https://api.githubcopilot.com/mcp/',
          headers: { Authorization: `Bearer ${GITHUB_PAT}` },
        },
      },
      projects: {
        '/home/me/app': {
          allowedTools: [],
          mcpServers: {
            everything: {
              type: 'stdio',
              command: 'npx',
              args: ['-y', '@modelcontextprotocol/server-everything'],
              env: { API_KEY: EVERYTHING_KEY },
            },
          },
        },
      },
    }),
  )
  write(
    join(project, '.mcp.json'),
    JSON.stringify({
      mcpServers: { sentry: { type: 'sse', url: 'https://mcp.sentry.dev/sse', headers: { 'X-Key': '${SENTRY_KEY}' } } },
    }),
  )
  write(
    join(home, '.config', 'Claude', 'claude_desktop_config.json'),
    JSON.stringify({ mcpServers: { 'my files': { command: 'npx', args: ['-y', 'files', '${userHome}/notes'] } } }),
  )
  // The same server as Claude Code's project one: imported once.
  write(
    join(home, '.cursor', 'mcp.json'),
    JSON.stringify({
      mcpServers: {
        everything: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-everything'],
          env: { API_KEY: EVERYTHING_KEY },
        },
      },
    }),
  )
  write(
    join(home, '.config', 'Code', 'User', 'settings.json'),
    `{
  // editor
  "editor.fontSize": 13, /* a block comment with "quotes" */
  "mcp": { "servers": { "fetch": { "type": "stdio", "command": "uvx", "args": ["mcp-server-fetch", "// not a comment"], }, }, },
}`,
  )
  write(
    join(project, '.vscode', 'mcp.json'),
    JSON.stringify({
      inputs: [{ type: 'promptString', id: 'pat', password: true }],
      servers: {
        gh__prompted: { type: 'http', url: 'https://x.example/mcp', headers: { Authorization: 'Bearer ${input:pat}' } },
      },
    }),
  )
})
afterEach(() => dir.remove())

const run = (...args: string[]) =>
  runTool(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src-gateway/cli.ts'),
      'mcp',
      'import',
      '--project',
      project,
      '--data-dir',
      data,
      ...args,
    ],
    { HOME: home },
    root,
  )

describe('switchyard mcp import', { timeout: 60_000 }, () => {
  it('lists every tool’s servers with where each came from, and a dry run prints the YAML without writing', async () => {
    const r = await run('--all', '--dry-run')
    expect(r.code, r.stderr).toBe(0)
    const listed = r.stderr
    expect(listed).toContain(`github  (Claude Code, ${join(home, '.claude.json')})`)
    expect(listed).toContain(`everything  (Claude Code, ${join(home, '.claude.json')} projects["/home/me/app"])`)
    expect(listed).toContain(`sentry  (Claude Code, ${join(project, '.mcp.json')})`)
    expect(listed).toContain(
      `my files  (Claude Desktop, ${join(home, '.config', 'Claude', 'claude_desktop_config.json')})`,
    )
    expect(listed).toContain(`everything  (Cursor, ${join(home, '.cursor', 'mcp.json')})`)
    expect(listed).toContain(`fetch  (VS Code, ${join(home, '.config', 'Code', 'User', 'settings.json')})`)
    expect(listed).toMatch(/gh__prompted .*\n\s+cannot import: headers.Authorization uses \$\{input:pat\}/)
    expect(listed).toContain('= everything: already configured as everything')
    const yaml = parseYaml(r.stdout)
    expect(yaml.mcp.servers).toEqual({
      github: {
        url: 'https://api.githubcopilot.com/mcp/',
        transport: 'streamable-http',
        headers: { Authorization: '${secret:mcp.servers.github.headers.authorization}' },
      },
      everything: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything'],
        env: { API_KEY: '${secret:mcp.servers.everything.env.api_key}' },
      },
      // Claude Code's `${VAR}` is Switchyard's `${env:VAR}`.
      sentry: { url: 'https://mcp.sentry.dev/sse', transport: 'sse', headers: { 'X-Key': '${env:SENTRY_KEY}' } },
      'my-files': { command: 'npx', args: ['-y', 'files', `${home}/notes`] },
      fetch: { command: 'uvx', args: ['mcp-server-fetch', '// not a comment'] },
    })
    expect(r.stdout + r.stderr).not.toContain(GITHUB_PAT)
    expect(r.stdout + r.stderr).not.toContain(EVERYTHING_KEY)
    expect(existsSync(join(data, 'config.yaml'))).toBe(false)
    expect(existsSync(join(data, 'secrets.enc.json'))).toBe(false)
    expect(existsSync(join(data, 'secret-key'))).toBe(false)
  })

  it('writes the chosen servers with their secrets in the store, keeps comments, renames a collision, and does not import twice', async () => {
    writeFileSync(
      join(data, 'config.yaml'),
      '# my setup\nproviders:\n  local: { type: ollama, baseUrl: "http://127.0.0.1:11434" } # keep me\n' +
        'mcp:\n  servers:\n    github: { command: gh-mcp }\n',
    )
    // The desktop app's store (OS keychain) is there too: the import says its secrets are not in it.
    writeFileSync(join(data, 'secrets.keychain.json'), '{}')
    const r = await run('--only', 'github,everything,my files')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(
      'the desktop app reads its own (the OS keychain): enter them there on the MCP servers page',
    )
    expect(r.stdout).toContain('+ github-2  (from Claude Code')
    expect(r.stdout).toContain('+ my-files  (from Claude Desktop')
    expect(r.stdout).toContain('Moved to the secret store')
    const text = readFileSync(join(data, 'config.yaml'), 'utf8')
    expect(text).toContain('# my setup')
    expect(text).toContain('# keep me')
    expect(text).not.toContain(GITHUB_PAT)
    expect(text).not.toContain(EVERYTHING_KEY)
    const cfg = parseYaml(text)
    expect(Object.keys(cfg.mcp.servers)).toEqual(['github', 'github-2', 'everything', 'my-files'])
    expect(cfg.mcp.servers.github).toEqual({ command: 'gh-mcp' })
    expect(cfg.mcp.servers['github-2'].headers.Authorization).toBe(
      '${secret:mcp.servers.github-2.headers.authorization}',
    )
    expect(cfg.mcp.servers.everything.env.API_KEY).toBe('${secret:mcp.servers.everything.env.api_key}')
    // The values are in the store `switchyard serve` reads, sealed (not in its file as text).
    const secrets = defaultSecretStore(data, {})
    expect(secrets.get('mcp.servers.github-2.headers.authorization')).toBe(`Bearer ${GITHUB_PAT}`)
    expect(secrets.get('mcp.servers.everything.env.api_key')).toBe(EVERYTHING_KEY)
    expect(readFileSync(join(data, 'secrets.enc.json'), 'utf8')).not.toContain(EVERYTHING_KEY)

    // Again: the imported servers are recognised by their resolved settings, nothing is added.
    const again = await run('--only', 'github,everything')
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('Nothing to add:')
    expect(again.stdout).toContain('= github: already configured as github-2')
    expect(readFileSync(join(data, 'config.yaml'), 'utf8')).toBe(text)
  })

  it('asks which to import when run in a terminal, naming a wrong answer back', async () => {
    // `script` gives the command a terminal (a pty), as a person running it has; the answers are typed into it.
    const command = [process.execPath, '--import', 'tsx', join(root, 'src-gateway/cli.ts'), 'mcp', 'import']
    const line = [...command, '--project', project, '--data-dir', data].join(' ')
    const child = spawn('script', ['-qec', line, '/dev/null'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: home, TERM: 'dumb' },
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d
    })
    const waitFor = async (text: string, times = 1) => {
      const deadline = Date.now() + 30_000
      while (out.split(text).length - 1 < times && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(out).toContain(text)
    }
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    await waitFor('Import which?')
    // 7 is VS Code's server that asks for its key through ${input:…}: listed, not importable.
    child.stdin.write('7,x\n')
    await waitFor('Not an importable number: 7, x')
    await waitFor('Import which?', 2)
    child.stdin.write('3,6\n')
    expect(await exited).toBe(0)
    expect(out).toContain('+ sentry  (from Claude Code')
    expect(Object.keys(parseYaml(readFileSync(join(data, 'config.yaml'), 'utf8')).mcp.servers)).toEqual([
      'sentry',
      'fetch',
    ])
  })

  it('makes names valid for namespacing (no `__`)', async () => {
    write(
      join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { 'a__b tools': { url: 'http://127.0.0.1:9/mcp' } } }),
    )
    const r = await run('--only', 'a__b tools')
    expect(r.code, r.stderr).toBe(0)
    expect(Object.keys(parseYaml(readFileSync(join(data, 'config.yaml'), 'utf8')).mcp.servers)).toEqual(['a_b-tools'])
  })

  it('refuses a data dir a running gateway holds, a server it cannot carry over, and a choice it was not given', async () => {
    writeFileSync(join(data, 'gateway.lock'), `${process.pid}\n`)
    const held = await run('--all')
    expect(held.code).toBe(1)
    expect(held.stderr).toContain(`a gateway (pid ${process.pid}) is using ${data}`)
    expect(existsSync(join(data, 'config.yaml'))).toBe(false)

    const prompted = await run('--only', 'gh__prompted', '--dry-run')
    expect(prompted.code).toBe(1)
    expect(prompted.stderr).toContain('switchyard: gh__prompted cannot be imported (see the reason above)')
    const unknown = await run('--only', 'nope', '--dry-run')
    expect(unknown.stderr).toContain('switchyard: no server named nope was found')

    // stdin is not a terminal here: no prompt to wait on.
    const unchosen = await run('--dry-run')
    expect(unchosen.code).toBe(1)
    expect(unchosen.stderr).toContain('choose the servers to import with --all or --only')
  })

  it('answers --help with its usage', async () => {
    const r = await runTool(
      process.execPath,
      ['--import', 'tsx', join(root, 'src-gateway/cli.ts'), 'help', 'mcp', 'import'],
      {},
      root,
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Usage: switchyard mcp import \[--all \| --only NAME,…\]/)
    const overview = await runTool(
      process.execPath,
      ['--import', 'tsx', join(root, 'src-gateway/cli.ts'), '--help'],
      {},
      root,
    )
    // The docs' examples are checked against `switchyard mcp --help`: the group shows its commands' usage.
    const group = await runTool(
      process.execPath,
      ['--import', 'tsx', join(root, 'src-gateway/cli.ts'), 'mcp', '--help'],
      {},
      root,
    )
    expect(group.stdout).toBe(r.stdout)
    expect(overview.stdout).toMatch(/^ {2}mcp import {2}copies MCP servers set up in Claude Code/m)
  })
})
