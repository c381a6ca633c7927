import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import { sameValue } from '../config/config-diff.js'
import type { McpServerConfig } from '../config/schema.js'
import { StderrTail, scrubberFor } from './bounded-log.js'
import { McpHubError } from './errors.js'
import { listPrompts, listResources, listTools } from './listing.js'
import { secretValuesOf } from './resolve.js'
import { Supervisor } from './supervisor.js'
import type { McpChange, McpPromptInfo, McpResourceInfo, McpServerStatus, McpToolInfo } from './types.js'
import { connectUpstream } from './upstream-connect.js'

export { McpHubError } from './errors.js'
export type * from './types.js'

/** A tool call's default longest wait without a result or a progress notification. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000
const DEFAULT_TEST_TIMEOUT_MS = 15_000

export interface McpHubDeps {
  clock?: () => number
  /** Resolves the references of a config that is not saved (for test()); `name` decides whose secrets it may use. */
  resolve: (cfg: McpServerConfig, name: string) => McpServerConfig
}

export interface CallOptions {
  signal?: AbortSignal
  onProgress?: (p: { progress: number; total?: number; message?: string }) => void
  /** Longest wait without a result or progress; the server config's `callTimeoutMs`, or 60 s. */
  timeoutMs?: number
}

export type McpTestResult =
  | {
      ok: true
      tools: McpToolInfo[]
      prompts: McpPromptInfo[]
      resources: McpResourceInfo[]
      serverInfo?: { name: string; version: string }
    }
  | { ok: false; error: string }

/**
 * The gateway's MCP servers: one Supervisor per configured server, what they offer, and calls into them.
 * Configs given to it are resolved (secrets in place); nothing it reports carries them (see bounded-log.ts).
 */
export class McpHub {
  private readonly servers = new Map<string, Supervisor>()
  private readonly listeners = new Set<(server: string, what: McpChange) => void>()
  private readonly clock: () => number
  private closed = false

  constructor(
    servers: Record<string, McpServerConfig>,
    private readonly deps: McpHubDeps,
  ) {
    this.clock = deps.clock ?? Date.now
    this.apply(servers)
  }

  private start(name: string, cfg: McpServerConfig): void {
    const sup = new Supervisor(name, cfg, {
      clock: this.clock,
      scrub: scrubberFor(secretValuesOf(name, cfg)),
      onChange: (what) => {
        // A stopped server's last words are not news.
        if (this.servers.get(name) === sup) this.emit(name, what)
      },
    })
    this.servers.set(name, sup)
  }

  /** Starts added and enabled servers, stops removed and disabled ones, restarts changed ones. */
  apply(servers: Record<string, McpServerConfig>): void {
    if (this.closed) return
    for (const [name, sup] of this.servers) {
      const next = servers[name]
      if (next && sameValue(next, sup.config)) continue
      this.servers.delete(name)
      void sup.stop()
      if (!next) this.announceGone(name, sup)
    }
    for (const [name, cfg] of Object.entries(servers)) {
      if (this.servers.has(name)) continue
      this.start(name, cfg)
      this.emit(name, 'state')
    }
  }

  /** A removed server's offers are gone: whoever listed them re-lists. */
  private announceGone(name: string, sup: Supervisor): void {
    const s = sup.status()
    if (s.tools.length) this.emit(name, 'tools')
    if (s.prompts.length) this.emit(name, 'prompts')
    if (s.resources.length || s.resourceTemplates.length) this.emit(name, 'resources')
    this.emit(name, 'state')
  }

  status(): McpServerStatus[] {
    return [...this.servers.values()].map((s) => s.status())
  }

  statusOf(name: string): McpServerStatus | undefined {
    return this.servers.get(name)?.status()
  }

  onChange(listener: (server: string, what: McpChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(server: string, what: McpChange): void {
    for (const l of this.listeners) {
      try {
        l(server, what)
      } catch {
        // One listener's fault must not stop the others or the supervisor that told them.
      }
    }
  }

  /** Connects to a config that need not be saved, lists what it offers, disconnects (the UI's "Test"). */
  async test(cfg: McpServerConfig, timeoutMs = DEFAULT_TEST_TIMEOUT_MS, name = ''): Promise<McpTestResult> {
    const resolved = this.deps.resolve(cfg, name)
    const scrub = scrubberFor(secretValuesOf(name, resolved))
    const stderr = new StderrTail(scrub)
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    let up: Awaited<ReturnType<typeof connectUpstream>> | undefined
    try {
      up = await connectUpstream(resolved, {
        onStderr: (chunk) => stderr.write(chunk),
        onClose: () => {},
        onError: () => {},
        signal: abort.signal,
        timeoutMs,
      })
      const [tools, prompts, resources] = await Promise.all([
        listTools(up.client, resolved.confirm),
        listPrompts(up.client),
        listResources(up.client),
      ])
      const info = up.client.getServerVersion()
      return {
        ok: true,
        tools,
        prompts,
        resources: resources.resources,
        serverInfo: info ? { name: info.name, version: info.version } : undefined,
      }
    } catch (err) {
      const reason = abort.signal.aborted ? (abort.signal.reason as Error) : err
      // The server's last words usually say why it would not start (a missing module, a bad token).
      const tail = stderr.list().slice(-5).join('\n')
      const text = scrub(reason instanceof Error ? reason.message : String(reason))
      return { ok: false, error: tail ? `${text}\n${tail}` : text }
    } finally {
      clearTimeout(timer)
      await up?.client.close().catch(() => {})
    }
  }

  /** The server by name, ready for calls; throws unknown_server or unavailable. */
  private ready(server: string) {
    const sup = this.servers.get(server)
    if (!sup) throw new McpHubError('unknown_server', `no MCP server named '${server}'`)
    const client = sup.client
    if (!client) throw new McpHubError('unavailable', `MCP server '${server}' is ${sup.status().state}`)
    return { sup, client }
  }

  /** Maps what the SDK threw to the hub's error kinds, recording it on the server's status. */
  private failure(sup: Supervisor, err: unknown, signal: AbortSignal | undefined): McpHubError {
    if (signal?.aborted) return new McpHubError('cancelled', 'the call was cancelled')
    // A remote server that went away is noticed by the call that found it gone, not 30 s later.
    void sup.checkHealth()
    if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
      return new McpHubError('timeout', sup.noteError(err))
    }
    if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) {
      return new McpHubError('unavailable', sup.noteError(err))
    }
    return new McpHubError('upstream', sup.noteError(err))
  }

  async callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    opts: CallOptions = {},
  ): Promise<CallToolResult> {
    const { sup, client } = this.ready(server)
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        signal: opts.signal,
        timeout: opts.timeoutMs ?? sup.config.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
        // A tool reporting progress is alive: the timeout measures silence, not the whole call.
        resetTimeoutOnProgress: true,
        onprogress: opts.onProgress
          ? (p) => opts.onProgress?.({ progress: p.progress, total: p.total, message: p.message })
          : undefined,
      })
      return result as CallToolResult
    } catch (err) {
      throw this.failure(sup, err, opts.signal)
    }
  }

  async getPrompt(
    server: string,
    prompt: string,
    args: Record<string, string>,
    opts: { signal?: AbortSignal } = {},
  ): Promise<GetPromptResult> {
    const { sup, client } = this.ready(server)
    try {
      return await client.getPrompt({ name: prompt, arguments: args }, { signal: opts.signal })
    } catch (err) {
      throw this.failure(sup, err, opts.signal)
    }
  }

  async readResource(server: string, uri: string, opts: { signal?: AbortSignal } = {}): Promise<ReadResourceResult> {
    const { sup, client } = this.ready(server)
    try {
      return await client.readResource({ uri }, { signal: opts.signal })
    } catch (err) {
      throw this.failure(sup, err, opts.signal)
    }
  }

  /** Stops every server (their process groups end) and takes no more config. */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.servers.values()]
    this.servers.clear()
    this.listeners.clear()
    await Promise.all(all.map((s) => s.stop()))
  }
}
