/** The most errors a server's status keeps, and the most stderr lines and characters per line. */
export const MAX_ERRORS = 20
export const MAX_STDERR_LINES = 200
export const MAX_LINE_CHARS = 1000

const SCRUBBED = '[secret]'
/** Shorter values are not scrubbed: replacing every `1` or `on` in a server's output would make it unreadable. */
const MIN_SECRET_CHARS = 6

/**
 * Replaces the given secret values in text. Built once per server config from its resolved env and header
 * values (and a header's token without its `Bearer ` scheme), longest first so a value containing another is
 * replaced whole.
 */
export function scrubberFor(values: Iterable<string>): (text: string) => string {
  const all = new Set<string>()
  for (const v of values) {
    all.add(v)
    const token = /^(bearer|basic|token)\s+(.+)$/i.exec(v)?.[2]
    if (token) all.add(token)
  }
  const secrets = [...all].filter((v) => v.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length)
  if (secrets.length === 0) return (text) => text
  return (text) => secrets.reduce((out, s) => out.replaceAll(s, SCRUBBED), text)
}

/** The last `max` entries pushed, oldest first. */
export class Ring<T> {
  private items: T[] = []
  constructor(private readonly max: number) {}
  push(item: T): void {
    this.items.push(item)
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max)
  }
  list(): T[] {
    return [...this.items]
  }
  clear(): void {
    this.items = []
  }
}

/**
 * A child's stderr as its last lines: split on newlines, each line cut to MAX_LINE_CHARS and scrubbed. A line
 * still open when more than twice MAX_LINE_CHARS have arrived is cut, so a child writing without newlines
 * cannot grow the buffer.
 */
export class StderrTail {
  private readonly lines = new Ring<string>(MAX_STDERR_LINES)
  private partial = ''
  /** Dropping the rest of an overlong line, up to its newline. */
  private skipping = false
  constructor(private readonly scrub: (text: string) => string) {}

  write(chunk: string): void {
    let text = chunk
    if (this.skipping) {
      const newline = text.indexOf('\n')
      if (newline < 0) return
      text = text.slice(newline + 1)
      this.skipping = false
    }
    const parts = (this.partial + text).split(/\r?\n/)
    this.partial = parts.pop() ?? ''
    for (const line of parts) this.add(line)
    // An overlong line is kept as its start (scrubbed whole up to twice the cut, so a secret straddling the cut
    // is still found) and the rest of it is dropped: a secret split by this flush never shows its other half.
    if (this.partial.length > MAX_LINE_CHARS * 2) {
      this.add(this.partial)
      this.partial = ''
      this.skipping = true
    }
  }

  private add(line: string): void {
    this.lines.push(this.scrub(line).slice(0, MAX_LINE_CHARS))
  }

  list(): string[] {
    const open = this.partial ? [this.scrub(this.partial).slice(0, MAX_LINE_CHARS)] : []
    return [...this.lines.list(), ...open].slice(-MAX_STDERR_LINES)
  }
}
