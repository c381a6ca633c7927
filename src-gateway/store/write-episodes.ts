// What both request-log writers (SQLite's log-writer.ts, Postgres's pg/log-writer.ts) do when writes fail: a
// failure episode runs from the first failed write to the next one that works, is told once when it starts and
// once when it ends (a warning, and `onEpisode` for alerts), and the tries in between back off from 100 ms,
// doubling up to 30 s. The queue, and what a failed batch does to it, stay with each writer.

/** A failure episode: from the first failed write to the next one that succeeds. */
export type WriterEpisode =
  | { state: 'failing'; since: number; error: string }
  | { state: 'recovered'; since: number; dropped: number }

/** A writer's running totals of what it could not keep: an episode's losses are counted from them. */
export interface Losses {
  dropped: number
  bodiesDropped: number
}

export interface EpisodeOptions {
  warn: (message: string) => void
  onEpisode?: (episode: WriterEpisode) => void
  /** The writer's queue cap, named in the first warning. */
  maxQueueRows: number
  /** Where the writes go, in the warnings: `writes ${target} are failing`; empty for the gateway's own database. */
  target?: string
}

export interface WriteEpisodes {
  /** Whether an episode runs: the last write failed. */
  readonly failing: boolean
  /** The current episode's first error; undefined while writes work. */
  readonly error: string | undefined
  /** Failed writes so far (each retried later). */
  readonly retries: number
  /** The wait before the next try. */
  readonly retryMs: number
  /** A write failed: starts an episode unless one runs. Returns how long to wait before trying again. */
  failed(err: unknown): number
  /** A write worked: the backoff starts over, and a running episode ends with what it lost. */
  recovered(now: Losses): void
}

const FIRST_RETRY_MS = 100
const MAX_RETRY_MS = 30_000

/** Named, so the process prints `(node:PID) SwitchyardLogWriter: …` rather than an anonymous `Warning: …`. */
export const emitWriterWarning = (message: string) => process.emitWarning(message, { type: 'SwitchyardLogWriter' })

export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

export function writeEpisodes(options: EpisodeOptions): WriteEpisodes {
  const { warn, onEpisode, maxQueueRows } = options
  const writes = options.target ? `writes ${options.target}` : 'writes'
  let episode: { since: number; error: string } | undefined
  /** The totals at the last write that worked. */
  let lastGood: Losses = { dropped: 0, bodiesDropped: 0 }
  let retryMs = FIRST_RETRY_MS
  let retries = 0

  return {
    get failing() {
      return episode !== undefined
    },
    get error() {
      return episode?.error
    },
    get retries() {
      return retries
    },
    get retryMs() {
      return retryMs
    },
    failed(err) {
      retries++
      const error = (err as Error).message
      if (!episode) {
        episode = { since: Date.now(), error }
        warn(
          `request log: ${writes} are failing (${error}); calls are still served, up to ${maxQueueRows} rows wait in memory (logs.maxQueueRows) and are retried with a backoff of up to 30 s`,
        )
        onEpisode?.({ state: 'failing', since: episode.since, error })
      }
      const wait = retryMs
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
      return wait
    },
    recovered(now) {
      retryMs = FIRST_RETRY_MS
      const before = lastGood
      lastGood = { dropped: now.dropped, bodiesDropped: now.bodiesDropped }
      if (!episode) return
      const { since } = episode
      episode = undefined
      const lost = now.dropped - before.dropped
      const bare = now.bodiesDropped - before.bodiesDropped
      const seconds = Math.round((Date.now() - since) / 1000)
      warn(
        `request log: ${writes} recovered after ${seconds} s; ${plural(lost, 'row', 'rows')} dropped` +
          (bare > 0 ? `, ${plural(bare, 'row', 'rows')} kept without bodies` : ''),
      )
      onEpisode?.({ state: 'recovered', since, dropped: lost })
    },
  }
}
