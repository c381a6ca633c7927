import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensurePrivateDir } from '../paths.js'

// A running gateway holds DATA_DIR/gateway.lock with its pid, so that offline commands (`restore`,
// `import --apply`) and a second `serve` do not write under it: the running gateway would keep its own
// view of the config and prompts and overwrite theirs. A lock whose pid is gone (a crash, a kill -9) is stale.

const LOCK_FILE_NAME = 'gateway.lock'

/** The data dir is held by a live gateway; `message` says who and what to do instead. */
export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError'
  constructor(
    readonly pid: number,
    message: string,
  ) {
    super(message)
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** The pid of the live gateway holding `dataDir`, or null when none does (no lock, or a stale one). */
function lockHolder(dataDir: string): number | null {
  const pid = readPid(join(dataDir, LOCK_FILE_NAME))
  return pid !== null && pid !== process.pid && isAlive(pid) ? pid : null
}

/** Throws DataDirBusyError when a live gateway holds `dataDir`; `instead` is the other way to do `what`. */
export function refuseWhileServed(dataDir: string, instead: string): void {
  const pid = lockHolder(dataDir)
  if (pid !== null) {
    throw new DataDirBusyError(pid, `a gateway (pid ${pid}) is using ${dataDir}: stop it first, or ${instead}`)
  }
}

/** Creates the lock file with this pid; false when one exists already. */
function createLock(file: string): boolean {
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

/**
 * Takes the data dir's lock for this process, replacing a stale one; throws DataDirBusyError when a
 * live gateway holds it. Answers the release, which removes the file if it is still this process's.
 */
export function holdDataDirLock(dataDir: string): () => void {
  ensurePrivateDir(dataDir)
  const file = join(dataDir, LOCK_FILE_NAME)
  const refuseIfHeld = () => {
    const pid = lockHolder(dataDir)
    if (pid === null) return
    throw new DataDirBusyError(
      pid,
      `another gateway (pid ${pid}) is using ${dataDir}: stop it first, or give this one its own --data-dir`,
    )
  }
  if (!createLock(file)) {
    refuseIfHeld()
    // Stale. `wx` again, so that of two gateways starting at once only one takes it.
    rmSync(file, { force: true })
    if (!createLock(file)) {
      refuseIfHeld()
      throw new Error(`cannot take the lock ${file}: it keeps coming back without a live gateway`)
    }
  }
  return () => {
    if (readPid(file) === process.pid) rmSync(file, { force: true })
  }
}
