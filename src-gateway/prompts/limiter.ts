/** A counting semaphore: at most `limit` holders at once, the rest wait in arrival order. */
export class Limiter {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}

/** One limiter per key, created on first use with the limit `limitFor` gives that key. */
export function limiterPool(limitFor: (key: string) => number): (key: string) => Limiter {
  const pool = new Map<string, Limiter>()
  return (key) => {
    let l = pool.get(key)
    if (!l) {
      l = new Limiter(Math.max(1, limitFor(key)))
      pool.set(key, l)
    }
    return l
  }
}
