import { parseArgs } from 'node:util'

// Subcommand arguments, checked here rather than by parseArgs' strict mode: its errors are TypeErrors
// with a stack and a hint about `--`, where a user who typed `--prot` needs one line and the usage.

export interface OptionSpec {
  type: 'string' | 'boolean'
  /** The value's name in the help (`--port N`); string options only. */
  value?: string
  help: string
}

export interface CommandSpec {
  name: string
  /** One line in `switchyard --help`. */
  summary: string
  /** The arguments after the command's name, as the usage line shows them. */
  synopsis: string
  /** What it does, in a few lines. */
  description: string
  options: Record<string, OptionSpec>
  /** Names of the positional arguments it requires, in order (it takes no others). */
  positionals: string[]
}

/** The command line is wrong: the caller prints the message on one line and the usage, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor(
    message: string,
    /** The command whose usage to show; none for the overview. */
    readonly command?: CommandSpec,
  ) {
    super(message)
  }
}

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

const HELP_OPTION: OptionSpec = { type: 'boolean', help: 'shows this help' }

/** `Usage: …`, the description and every option, for `switchyard COMMAND --help` and usage errors. */
export function commandUsage(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => [`--${name}${o.value ? ` ${o.value}` : ''}`, o.help])
  rows.push(['-h, --help', HELP_OPTION.help])
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2
  return [
    `Usage: switchyard ${spec.name} ${spec.synopsis}`,
    '',
    spec.description,
    '',
    'Options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
  ].join('\n')
}

/** The command's options and positionals, or 'help' when `--help`/`-h` is among them. */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand | 'help' {
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, { type: o.type }]))
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  if (values.help === true) return 'help'
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const option = spec.options[token.name]
    if (!option) throw new UsageError(`unknown option ${token.rawName}`, spec)
    if (option.type === 'string' && token.value === undefined) {
      throw new UsageError(`option ${token.rawName} needs a value`, spec)
    }
    if (option.type === 'boolean' && token.inlineValue) {
      throw new UsageError(`option ${token.rawName} takes no value`, spec)
    }
  }
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument '${positionals[spec.positionals.length]}'`, spec)
  }
  if (positionals.length < spec.positionals.length) {
    throw new UsageError(`missing ${spec.positionals.slice(positionals.length).join(' ')}`, spec)
  }
  return { values: values as ParsedCommand['values'], positionals }
}

/** A subcommand: its spec (for parsing and help) and what it runs with the parsed arguments. */
export interface Command {
  spec: CommandSpec
  run(args: ParsedCommand): void | Promise<void>
}
