import { join } from 'node:path'
import { runTool, type ToolRun } from './run-tool.js'

const root = join(import.meta.dirname, '..', '..')

/**
 * `switchyard ARGS` from source (tsx), as a user runs it (this process's environment); resolves when it
 * exits, or after `timeoutMs` with the process killed (code null): a command expected to refuse must not
 * hang the test if it runs.
 */
export function runCli(args: string[], timeoutMs = 30_000): Promise<ToolRun> {
  const env = process.env as Record<string, string>
  return runTool(process.execPath, ['--import', 'tsx', join(root, 'src-gateway/cli.ts'), ...args], env, root, timeoutMs)
}
