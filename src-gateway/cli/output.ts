import { DataDirBusyError } from '../backup/data-dir-lock.js'
import { BackupFormatError } from '../backup/snapshot.js'
import { ConfigError } from '../config/load.js'
import { SecretStoreError } from '../config/secrets.js'

/** A problem the user can fix: one line on stderr, exit 1. */
export function fail(message: string): never {
  process.stderr.write(`switchyard: ${message}\n`)
  process.exit(1)
}

/** A problem the user can fix ends the command with its one line; anything else is thrown on. */
function asUserError(err: unknown): never {
  if (
    err instanceof ConfigError ||
    err instanceof BackupFormatError ||
    err instanceof DataDirBusyError ||
    err instanceof SecretStoreError
  ) {
    fail(err.message)
  }
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') fail((err as Error).message)
  throw err
}

/**
 * Runs an offline command (or its promise); config, file and busy-data-dir problems are the user's to fix: one
 * line, no stack.
 */
export function userErrors<T>(run: () => T): T {
  try {
    const out = run()
    return out instanceof Promise ? (out.catch(asUserError) as T) : out
  } catch (err) {
    return asUserError(err)
  }
}
