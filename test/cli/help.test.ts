import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const COMMANDS = ['serve', 'backup', 'restore', 'export', 'import']

describe('switchyard --help', { timeout: 60_000 }, () => {
  it('lists every subcommand', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
  })

  it.each(COMMANDS)('%s --help prints its usage and options and exits 0', async (command) => {
    const [run, viaHelp] = await Promise.all([runCli([command, '--help']), runCli(['help', command])])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`^Usage: switchyard ${command}\\b`))
    expect(run.stdout).toContain('--data-dir DIR')
    // `help <command>` says the same.
    expect(viaHelp.stdout).toBe(run.stdout)
  })

  it.each(COMMANDS)('%s with a bad option prints one line and the usage, exit 2', async (command) => {
    const run = await runCli([command, '--prot', '4000'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    const [first, ...rest] = run.stderr.split('\n')
    expect(first).toBe(`switchyard ${command}: unknown option --prot`)
    expect(rest.join('\n')).toMatch(new RegExp(`Usage: switchyard ${command}\\b`))
    expect(run.stderr).not.toMatch(/ERR_PARSE_ARGS|\bat .*\.(js|ts):\d+/)
  })

  it('says what is wrong with a missing value, an extra argument and an unknown command', async () => {
    const [missing, extra, unknown] = await Promise.all([
      runCli(['serve', '--port']),
      runCli(['backup', 'stray']),
      runCli(['serv']),
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr.split('\n')[0]).toBe('switchyard serve: option --port needs a value')
    expect(extra.code).toBe(2)
    expect(extra.stderr.split('\n')[0]).toBe("switchyard backup: unexpected argument 'stray'")
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.split('\n')[0]).toBe("switchyard: unknown command 'serv'")
  })
})
