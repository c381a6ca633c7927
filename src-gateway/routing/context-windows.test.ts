import { describe, expect, it } from 'vitest'
import type { Upstreams } from '../core/upstream.js'
import { ContextWindows } from './context-windows.js'
import { buildProvider } from './providers.js'

/** An Ollama whose /api/show answers `window` for every model (or fails with `status`), counting the asks. */
function fakeOllama(answer: { status: number; window?: number }) {
  const asked: string[] = []
  const upstreams = {
    async send(_id: string, _base: string, req: { body?: string }) {
      asked.push(JSON.parse(req.body ?? '{}').model)
      const body = { model_info: { 'general.architecture': 'llama', 'llama.context_length': answer.window } }
      return { status: answer.status, text: async () => JSON.stringify(body) }
    },
  } as unknown as Upstreams
  return { asked, upstreams }
}

const provider = buildProvider('ol', { type: 'ollama' })

describe('ContextWindows', () => {
  it('asks once per model, shares the ask, and answers later calls without a promise', async () => {
    const { asked, upstreams } = fakeOllama({ status: 200, window: 8192 })
    const windows = new ContextWindows(upstreams)
    const [a, b] = [windows.lookup(provider, 'm'), windows.lookup(provider, 'm')]
    expect(await a).toBe(8192)
    expect(await b).toBe(8192)
    expect(windows.lookup(provider, 'm')).toBe(8192)
    expect(asked).toEqual(['m'])
  })

  it('keeps at most 256 models per provider, forgetting the oldest', async () => {
    const { asked, upstreams } = fakeOllama({ status: 200, window: 4096 })
    const windows = new ContextWindows(upstreams)
    for (let i = 0; i < 300; i++) await windows.lookup(provider, `m${i}`)
    expect(windows.known(provider, 'm0')).toBeUndefined()
    expect(windows.known(provider, 'm299')).toBe(4096)
    expect(asked).toHaveLength(300)
  })

  it('remembers a failure for a while instead of asking on every call, then asks again', async () => {
    const { asked, upstreams } = fakeOllama({ status: 404 })
    let now = 0
    const windows = new ContextWindows(upstreams, () => now)
    expect(await windows.lookup(provider, 'm')).toBeUndefined()
    expect(windows.lookup(provider, 'm')).toBeUndefined()
    expect(asked).toHaveLength(1)
    now += 11 * 60_000
    windows.lookup(provider, 'm')
    expect(asked).toHaveLength(2)
  })
})
