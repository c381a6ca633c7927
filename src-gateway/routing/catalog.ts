import type { ModelInfo } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { Upstreams } from '../core/upstream.js'
import { ContextWindows } from './context-windows.js'
import type { RuntimeProvider } from './providers.js'

const LIST_TIMEOUT_MS = 3_000
/** A cache miss on a bare model name re-lists at most this often (a user may have just pulled a model). */
const MISS_REFRESH_MS = 10_000

interface Entry {
  models: ModelInfo[]
  error?: string
  fetchedAt: number
}

/**
 * What each provider offers: the models named in config plus what the upstream lists. Listing runs in
 * the background at start and on demand; requests never wait for it except for an unknown bare name.
 */
export class ModelCatalog {
  private entries = new Map<string, Entry>()
  /** Model ids per provider object and listing, as a set: asked on every call to an explicit provider/model. */
  private idSets = new WeakMap<RuntimeProvider, { entry: Entry | undefined; ids: Set<string> }>()
  private inflight = new Map<string, { provider: RuntimeProvider; job: Promise<void> }>()
  /** Listed context windows per provider object and listing: asked on every call whose window matters. */
  private listedWindows = new WeakMap<RuntimeProvider, { entry: Entry | undefined; windows: Map<string, number> }>()
  /** Windows the servers state per model outside their listing (Ollama, llama.cpp, LM Studio). */
  readonly windows: ContextWindows

  constructor(
    private providers: Map<string, RuntimeProvider>,
    private upstreams: Upstreams,
  ) {
    this.windows = new ContextWindows(upstreams)
  }

  /** Starts listing every provider; resolves when all have answered or failed. */
  refreshAll(): Promise<void> {
    return Promise.all([...this.providers.values()].map((p) => this.refresh(p))).then(() => undefined)
  }

  refresh(p: RuntimeProvider): Promise<void> {
    const running = this.inflight.get(p.id)
    if (running?.provider === p) return running.job
    const job = this.list(p).finally(() => {
      if (this.inflight.get(p.id)?.job === job) this.inflight.delete(p.id)
    })
    this.inflight.set(p.id, { provider: p, job })
    return job
  }

  /**
   * Switches to another set of providers (live config): lists of removed or rebuilt providers are
   * dropped, and the rebuilt and new ones are listed again.
   */
  replaceProviders(next: Map<string, RuntimeProvider>): Promise<void> {
    const changed = [...next.values()].filter((p) => this.providers.get(p.id) !== p)
    for (const id of this.entries.keys()) if (next.get(id) !== this.providers.get(id)) this.entries.delete(id)
    this.providers = next
    return Promise.all(changed.map((p) => this.refresh(p))).then(() => undefined)
  }

  /** 'ok' after a successful listing, 'error' after a failed one, 'unknown' before any. */
  health(id: string): 'ok' | 'error' | 'unknown' {
    const entry = this.entries.get(id)
    return entry ? (entry.error ? 'error' : 'ok') : 'unknown'
  }

  private async list(p: RuntimeProvider): Promise<void> {
    const { modelsRequest, modelsResponse } = p.adapter
    if (!modelsRequest || !modelsResponse) return
    const ctrl = new AbortController()
    const timer = setTimeout(() => ctrl.abort(), LIST_TIMEOUT_MS)
    try {
      const timeouts = { ...p.timeouts, firstByteMs: LIST_TIMEOUT_MS, totalMs: LIST_TIMEOUT_MS }
      const req = modelsRequest(p.ctx)
      const res = await this.upstreams.send(p.id, p.ctx.baseUrl, req, timeouts, ctrl.signal, p.maxConnections)
      const text = await res.text()
      if (res.status >= 400) throw p.adapter.error(res.status, text, res.headers)
      // A listing of a provider replaced meanwhile (live config) describes an upstream no longer used.
      if (this.providers.get(p.id) !== p) return
      this.entries.set(p.id, { models: modelsResponse(JSON.parse(text)), fetchedAt: Date.now() })
    } catch (err) {
      if (this.providers.get(p.id) !== p) return
      const prev = this.entries.get(p.id)
      const error = err instanceof GatewayError ? err.message : `cannot list models: ${(err as Error).message}`
      this.entries.set(p.id, { models: prev?.models ?? [], error, fetchedAt: Date.now() })
    } finally {
      clearTimeout(timer)
    }
  }

  /** Models of one provider: configured first, then listed, without duplicates. */
  modelsOf(p: RuntimeProvider): ModelInfo[] {
    const listed = this.entries.get(p.id)?.models ?? []
    const seen = new Set<string>()
    const out: ModelInfo[] = []
    for (const m of [...p.configuredModels.map((id) => ({ id })), ...listed]) {
      if (seen.has(m.id)) continue
      seen.add(m.id)
      out.push(m)
    }
    return out
  }

  /** Whether `p` offers `model` by config or by its listing (Ollama's implicit `:latest` included). */
  offers(p: RuntimeProvider, model: string): boolean {
    const entry = this.entries.get(p.id)
    let known = this.idSets.get(p)
    if (!known || known.entry !== entry) {
      known = { entry, ids: new Set(this.modelsOf(p).map((m) => m.id)) }
      this.idSets.set(p, known)
    }
    return known.ids.has(model) || (!model.includes(':') && known.ids.has(`${model}:latest`))
  }

  /** The context window `p`'s listing gives `model` (vLLM, Groq, OpenRouter, Gemini list one). */
  listedWindow(p: RuntimeProvider, model: string): number | undefined {
    const entry = this.entries.get(p.id)
    let known = this.listedWindows.get(p)
    if (!known || known.entry !== entry) {
      const windows = new Map<string, number>()
      for (const m of entry?.models ?? []) if (m.contextWindow !== undefined) windows.set(m.id, m.contextWindow)
      known = { entry, windows }
      this.listedWindows.set(p, known)
    }
    return known.windows.get(model)
  }

  listingError(id: string): string | undefined {
    return this.entries.get(id)?.error
  }

  /** Providers that offer `model` by that exact name (Ollama's implicit `:latest` included). */
  providersOffering(model: string): RuntimeProvider[] {
    return [...this.providers.values()].filter((p) => this.offers(p, model))
  }

  /** Re-lists providers whose list is older than MISS_REFRESH_MS; for a miss on a bare model name. */
  async refreshStale(): Promise<void> {
    const now = Date.now()
    const stale = [...this.providers.values()].filter(
      (p) => now - (this.entries.get(p.id)?.fetchedAt ?? 0) > MISS_REFRESH_MS,
    )
    await Promise.all(stale.map((p) => this.refresh(p)))
  }
}
