import { describe, expect, it } from 'vitest'
import { Limiter, limiterPool } from './limiter.js'

describe('Limiter', () => {
  it('never runs more than the limit at once and runs every task in order', async () => {
    const limiter = new Limiter(2)
    let running = 0
    let peak = 0
    const order: number[] = []
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        limiter.run(async () => {
          running++
          peak = Math.max(peak, running)
          await new Promise((r) => setTimeout(r, 5))
          order.push(i)
          running--
        }),
      ),
    )
    expect(peak).toBe(2)
    expect(order).toHaveLength(6)
  })

  it('frees the slot when a task throws, and pools one limiter per key', async () => {
    const limiter = new Limiter(1)
    await expect(limiter.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x')
    expect(await limiter.run(async () => 'next')).toBe('next')
    const pool = limiterPool((key) => (key === 'local' ? 1 : 4))
    expect(pool('local').limit).toBe(1)
    expect(pool('cloud')).toBe(pool('cloud'))
    expect(pool('cloud').limit).toBe(4)
  })
})
