import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import type { McpServerConfig } from '../config/schema.js'
import { MAX_ERRORS, Ring, StderrTail } from './bounded-log.js'
import { listPrompts, listResources, listTools } from './listing.js'
import type {
  McpChange,
  McpPromptInfo,
  McpResourceInfo,
  McpResourceTemplateInfo,
  McpServerState,
  McpServerStatus,
  McpToolInfo,
  McpTransportKind,
} from './types.js'
import { connectUpstream, type Upstream } from './upstream-connect.js'

/** Reconnect delays: 1 s doubling to 60 s; back to 1 s once a connection has been healthy for 60 s. */
export const BACKOFF_INITIAL_MS = 1000
export const BACKOFF_MAX_MS = 60_000
const HEALTHY_AFTER_MS = 60_000
/**
 * Attempts in a row that fail, or whose connection drops within HEALTHY_AFTER_MS, before the server is left
 * `failed` (about four minutes of backoff).
 */
const MAX_FAILED_ATTEMPTS = 10
/**
 * A remote server is pinged this often while ready: over HTTP nothing else notices that it went away until a
 * call fails (a failed call checks at once too).
 */
const PING_EVERY_MS = 30_000
const PING_TIMEOUT_MS = 10_000

export interface SupervisorDeps {
  clock: () => number
  scrub: (text: string) => string
  onChange: (what: McpChange) => void
}

/** The transport a config will use before it has connected (auto shows as Streamable HTTP until it falls back). */
export function plannedTransport(cfg: McpServerConfig): McpTransportKind {
  if (cfg.command !== undefined) return 'stdio'
  return cfg.transport === 'sse' ? 'sse' : 'streamable-http'
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * One upstream MCP server kept connected: connects, lists what it offers, re-lists on its list_changed
 * notifications, and reconnects with backoff when the process exits or the connection drops.
 */
export class Supervisor {
  private state: McpServerState
  private upstream: Upstream | undefined
  private tools: McpToolInfo[] = []
  private prompts: McpPromptInfo[] = []
  private resources: McpResourceInfo[] = []
  private templates: McpResourceTemplateInfo[] = []
  private readonly errors = new Ring<{ at: number; message: string }>(MAX_ERRORS)
  private readonly stderr: StderrTail
  private restarts = 0
  /** Attempts in a row that failed or did not stay up HEALTHY_AFTER_MS: they set the next delay. */
  private failedAttempts = 0
  private connectedAt: number | undefined
  private transport: McpTransportKind
  private timer: NodeJS.Timeout | undefined
  private pinger: NodeJS.Timeout | undefined
  private nextRetryAt: number | undefined
  /** Bumped on every (re)connect and on stop: callbacks of an older connection see they are stale. */
  private generation = 0
  private stopped = false
  private connecting: Promise<void> | undefined
  /** Ends a connect under way when the server is stopped. */
  private readonly abort = new AbortController()

  constructor(
    readonly name: string,
    /** Resolved: its env and header secrets in place. Never shown; status() shows what the hub observed. */
    readonly config: McpServerConfig,
    private readonly deps: SupervisorDeps,
  ) {
    this.stderr = new StderrTail(deps.scrub)
    this.transport = plannedTransport(config)
    this.state = config.enabled === false ? 'disabled' : 'starting'
    if (this.state === 'starting') this.connecting = this.connect()
  }

  get client(): Client | undefined {
    return this.state === 'ready' ? this.upstream?.client : undefined
  }

  status(): McpServerStatus {
    const info = this.state === 'ready' ? this.upstream?.client.getServerVersion() : undefined
    return {
      name: this.name,
      transport: this.transport,
      enabled: this.config.enabled !== false,
      state: this.state,
      tools: this.tools,
      prompts: this.prompts,
      resources: this.resources,
      resourceTemplates: this.templates,
      errors: this.errors.list(),
      stderrTail: this.transport === 'stdio' ? this.stderr.list() : [],
      restarts: this.restarts,
      nextRetryAt: this.state === 'restarting' ? this.nextRetryAt : undefined,
      connectedAt: this.state === 'ready' ? this.connectedAt : undefined,
      serverInfo: info ? { name: info.name, version: info.version } : undefined,
    }
  }

  /** Records an error of this server's (a failed call's cause included), scrubbed. */
  noteError(err: unknown): string {
    const text = this.deps.scrub(message(err)).slice(0, 1000)
    this.errors.push({ at: this.deps.clock(), message: text })
    return text
  }

  private setState(next: McpServerState): void {
    if (this.state === next) return
    this.state = next
    this.deps.onChange('state')
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation
    let up: Upstream
    try {
      up = await connectUpstream(this.config, {
        onStderr: (chunk) => this.stderr.write(chunk),
        onClose: () => this.dropped(gen),
        onError: (err) => {
          if (gen === this.generation) this.noteError(err)
        },
        signal: this.abort.signal,
      })
    } catch (err) {
      if (gen !== this.generation) return
      this.noteError(err)
      this.retry(false)
      return
    }
    if (gen !== this.generation) {
      await up.client.close().catch(() => {})
      return
    }
    this.upstream = up
    this.transport = up.transport
    this.watchLists(up.client, gen)
    try {
      const [tools, prompts, resources] = await Promise.all([
        listTools(up.client, this.config.confirm),
        listPrompts(up.client),
        listResources(up.client),
      ])
      if (gen !== this.generation) return
      this.tools = tools
      this.prompts = prompts
      this.resources = resources.resources
      this.templates = resources.resourceTemplates
    } catch (err) {
      if (gen !== this.generation) return
      // From here on this connection is stale: its close (below, or the child's exit that failed the lists) is
      // not another drop.
      this.generation++
      this.noteError(err)
      this.upstream = undefined
      void up.client.close().catch(() => {})
      this.retry(false)
      return
    }
    // Not a reset of the backoff: a server that crashes soon after each start must still back off (see dropped).
    this.connectedAt = this.deps.clock()
    this.setState('ready')
    for (const what of ['tools', 'prompts', 'resources'] as const) this.deps.onChange(what)
    // A child's exit closes its pipes; a remote server's going away has to be asked about.
    if (up.transport !== 'stdio') {
      this.pinger = setInterval(() => void this.checkHealth(), PING_EVERY_MS)
      this.pinger.unref()
    }
  }

  /** Pings a ready remote server; one that does not answer is treated as dropped and reconnected. */
  async checkHealth(): Promise<void> {
    const up = this.upstream
    const gen = this.generation
    if (!up || up.transport === 'stdio' || this.state !== 'ready') return
    try {
      await up.client.ping({ timeout: PING_TIMEOUT_MS })
    } catch (err) {
      if (gen !== this.generation || this.stopped) return
      // The old connection's close must not count as another drop.
      this.generation++
      this.noteError(new Error(`the server stopped answering: ${message(err)}`))
      this.lost()
      void up.client.close().catch(() => {})
    }
  }

  private watchLists(client: Client, gen: number): void {
    const relist = (what: 'tools' | 'prompts' | 'resources', load: () => Promise<void>) => async () => {
      try {
        await load()
        if (gen === this.generation) this.deps.onChange(what)
      } catch (err) {
        if (gen === this.generation) this.noteError(err)
      }
    }
    client.setNotificationHandler(
      ToolListChangedNotificationSchema,
      relist('tools', async () => {
        const tools = await listTools(client, this.config.confirm)
        if (gen === this.generation) this.tools = tools
      }),
    )
    client.setNotificationHandler(
      PromptListChangedNotificationSchema,
      relist('prompts', async () => {
        const prompts = await listPrompts(client)
        if (gen === this.generation) this.prompts = prompts
      }),
    )
    client.setNotificationHandler(
      ResourceListChangedNotificationSchema,
      relist('resources', async () => {
        const r = await listResources(client)
        if (gen !== this.generation) return
        this.resources = r.resources
        this.templates = r.resourceTemplates
      }),
    )
  }

  /** The connection ended without our asking: the process exited or the remote dropped it. */
  private dropped(gen: number): void {
    if (gen !== this.generation || this.stopped) return
    // Whatever of this connection is still under way (its lists) is stale now.
    this.generation++
    const exit = this.upstream?.exitReason()
    this.noteError(new Error(exit ?? 'the connection to the server closed'))
    this.lost()
  }

  /** A ready connection is gone: reconnect, from 1 s again if it had been up for a healthy minute. */
  private lost(): void {
    const wasHealthy = this.connectedAt !== undefined && this.deps.clock() - this.connectedAt >= HEALTHY_AFTER_MS
    this.upstream = undefined
    this.retry(wasHealthy)
  }

  /** Schedules the next attempt; what the server offered is withdrawn meanwhile, so nobody calls into it. */
  private retry(resetBackoff: boolean): void {
    clearInterval(this.pinger)
    const hadOffers = this.tools.length + this.prompts.length + this.resources.length + this.templates.length > 0
    this.tools = []
    this.prompts = []
    this.resources = []
    this.templates = []
    this.connectedAt = undefined
    if (resetBackoff) this.failedAttempts = 0
    this.failedAttempts++
    if (hadOffers) for (const what of ['tools', 'prompts', 'resources'] as const) this.deps.onChange(what)
    if (this.failedAttempts > MAX_FAILED_ATTEMPTS) {
      this.noteError(
        new Error(`gave up after ${MAX_FAILED_ATTEMPTS} restarts in a row; save the server again to retry`),
      )
      this.setState('failed')
      return
    }
    const delay = Math.min(BACKOFF_INITIAL_MS * 2 ** (this.failedAttempts - 1), BACKOFF_MAX_MS)
    this.nextRetryAt = this.deps.clock() + delay
    this.setState('restarting')
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.nextRetryAt = undefined
      if (this.stopped) return
      this.restarts++
      this.connecting = this.connect()
    }, delay)
    this.timer.unref()
  }

  /** Disconnects for good (the child's whole process group ends); later callbacks of this server do nothing. */
  async stop(): Promise<void> {
    this.stopped = true
    this.generation++
    this.abort.abort()
    clearTimeout(this.timer)
    clearInterval(this.pinger)
    const up = this.upstream
    this.upstream = undefined
    await up?.client.close().catch(() => {})
    // A connect still under way finishes, sees it is stale and closes what it opened.
    await this.connecting
  }
}
