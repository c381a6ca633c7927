import { runCli } from '../helpers/run-cli.js'

const runs = new Map<string, ReturnType<typeof runCli>>()

/**
 * `switchyard COMMAND --help` (or `switchyard --help` for ''), run once per command: the usage a docs
 * example's options are checked against. Undefined when there is no such command.
 */
export async function helpOf(command: string): Promise<string | undefined> {
  let run = runs.get(command)
  if (!run) {
    run = runCli(command ? [command, '--help'] : ['--help'])
    runs.set(command, run)
  }
  const { code, stdout } = await run
  return code === 0 ? stdout : undefined
}
