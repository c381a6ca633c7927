// Context windows that servers state per model outside their listing (Ollama's /api/show, llama.cpp's
// /props, LM Studio's /api/v0/models): asked once per provider and model, on first use, and kept.

import type { Upstreams } from '../core/upstream.js'
import type { RuntimeProvider } from './providers.js'

const ASK_TIMEOUT_MS = 3_000
/** How long an answer (or a failure to answer) stands before the next use asks again in the background. */
const KEEP_MS = 10 * 60_000
/** Models kept per provider: clients may name any model, and each name must not cost memory forever. */
const MAX_MODELS = 256

interface Entry {
  window: number | undefined
  /** Whether an ask has come back (with a window or without): only the first ask is waited for. */
  answered: boolean
  askedAt: number
  asking?: Promise<number | undefined>
}

export class ContextWindows {
  /** Per provider object: a rebuilt provider (config change) starts over, a removed one is forgotten. */
  private byProvider = new WeakMap<RuntimeProvider, Map<string, Entry>>()

  constructor(
    private upstreams: Upstreams,
    private clock: () => number = Date.now,
  ) {}

  /** The window known now, without asking; undefined when not asked yet or the server did not say. */
  known(p: RuntimeProvider, model: string): number | undefined {
    return this.byProvider.get(p)?.get(model)?.window
  }

  /**
   * The window the server states, asking it the first time (later callers share that ask). A known answer
   * comes back at once (not as a promise, so a call pays no await), and an old one is renewed in the
   * background. A server that cannot say is remembered as such: it is not asked again on every call.
   */
  lookup(p: RuntimeProvider, model: string): number | undefined | Promise<number | undefined> {
    if (!p.adapter.contextWindowRequest) return undefined
    let models = this.byProvider.get(p)
    if (!models) {
      models = new Map()
      this.byProvider.set(p, models)
    }
    const entry = models.get(model)
    if (entry) {
      // Calls that come while the first ask is out wait for it too (and go on in the order they came).
      if (entry.asking && !entry.answered) return entry.asking
      if (!entry.asking && this.clock() - entry.askedAt > KEEP_MS) entry.asking = this.ask(p, model, models)
      return entry.window
    }
    if (models.size >= MAX_MODELS) models.delete(models.keys().next().value!)
    const fresh: Entry = { window: undefined, answered: false, askedAt: this.clock() }
    fresh.asking = this.ask(p, model, models)
    models.set(model, fresh)
    return fresh.asking
  }

  private async ask(p: RuntimeProvider, model: string, models: Map<string, Entry>): Promise<number | undefined> {
    const { contextWindowRequest, contextWindowResponse } = p.adapter
    const ctrl = new AbortController()
    const timer = setTimeout(() => ctrl.abort(), ASK_TIMEOUT_MS)
    let window: number | undefined
    try {
      // An adapter may have nothing to ask of this provider (LM Studio's endpoint on a cloud host).
      const asked = contextWindowRequest!(model, p.ctx)
      if (asked) {
        const { baseUrl, ...req } = asked
        const timeouts = { ...p.timeouts, firstByteMs: ASK_TIMEOUT_MS, totalMs: ASK_TIMEOUT_MS }
        const base = baseUrl ?? p.ctx.baseUrl
        const res = await this.upstreams.send(p.id, base, req, timeouts, ctrl.signal, p.maxConnections)
        const text = await res.text()
        if (res.status < 300) window = contextWindowResponse?.(JSON.parse(text), p.ctx)
      }
    } catch {
      // Not fatal: the call goes on with whatever else tells the window (config, listing, prices).
    } finally {
      clearTimeout(timer)
    }
    const entry = models.get(model)
    if (entry) {
      // A failed renewal keeps what the server said before.
      entry.window = window ?? entry.window
      entry.answered = true
      entry.askedAt = this.clock()
      entry.asking = undefined
    }
    return window ?? entry?.window
  }
}
