import { accessSync, constants, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

// A data folder serve cannot write (a read-only mount, another user's folder, a database it cannot open)
// is found before anything in it is opened, and said in one line with the ways out: fix it, point
// elsewhere, or run without the database (`--no-log`).

const DB_FILES = ['switchyard.db', 'switchyard.db-wal', 'switchyard.db-shm']
const NO_LOG = 'or serve without the request log with --no-log'

const reasonOf = (err: NodeJS.ErrnoException) =>
  err.code === 'EROFS'
    ? 'read-only file system'
    : err.code === 'EACCES' || err.code === 'EPERM'
      ? 'permission denied'
      : err.message

/** The folder cannot be written: `path` is the part that refused. */
function unwritable(dataDir: string, path: string, err: NodeJS.ErrnoException): string {
  const where = path === dataDir ? '' : `${path}: `
  return `cannot write to the data folder ${dataDir} (${where}${reasonOf(err)}): make it writable by this user, choose another with --data-dir DIR, ${NO_LOG}`
}

/** Why serve could not write `dataDir` (or its database), in one line with the fix; undefined when it can. */
export function dataDirProblem(dataDir: string): string | undefined {
  // A folder not made yet is made in its nearest existing parent.
  let dir = dataDir
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir)
  const files = dir === dataDir ? DB_FILES.map((f) => join(dataDir, f)).filter((f) => existsSync(f)) : []
  for (const path of [dir, ...files]) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK)
    } catch (err) {
      return unwritable(dataDir, path, err as NodeJS.ErrnoException)
    }
  }
  return undefined
}

/**
 * An error thrown while serve opened what is in `dataDir` (a file it could not write, a database SQLite
 * could not open) as one line with the fix; undefined for any other error.
 */
export function dataDirError(err: unknown, dataDir: string): string | undefined {
  const e = err as NodeJS.ErrnoException
  if (e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM') return unwritable(dataDir, e.path ?? dataDir, e)
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) {
    return `cannot open the database ${join(dataDir, 'switchyard.db')} (${e.message}): repair or move it away, choose another folder with --data-dir DIR, ${NO_LOG}`
  }
  return undefined
}
