import { DataDirBusyError } from '../backup/data-dir-lock.js'
import { BackupFormatError } from '../backup/snapshot.js'
import { ConfigError } from '../config/load.js'
import { SecretStoreError } from '../config/secrets.js'

/** A problem the user can fix: one line on stderr, exit 1. */
export function fail(message: string): never {
  process.stderr.write(`switchyard: ${message}\n`)
  process.exit(1)
}

/** Runs an offline command; config, file and busy-data-dir problems are the user's to fix: one line, no stack. */
export function userErrors<T>(run: () => T): T {
  try {
    return run()
  } catch (err) {
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
}
