import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { McpServerConfig } from '../config/schema.js'
import { VERSION } from '../version.js'
import { GroupStdioTransport } from './stdio-transport.js'
import type { McpTransportKind } from './types.js'

/** A connected upstream and what it is spoken to over. */
export interface Upstream {
  client: Client
  transport: McpTransportKind
  /** Why a stdio server's connection ended: its exit code or signal, once it has exited. */
  exitReason(): string | undefined
}

export interface ConnectOptions {
  onStderr(chunk: string): void
  /** Told once when the connection ends for any reason but our own close. */
  onClose(): void
  onError(err: Error): void
  /** Aborting gives up a connect under way, closing what it opened (a spawned child included). */
  signal?: AbortSignal
  /** The longest wait for the handshake (default 30 s). */
  timeoutMs?: number
}

const CONNECT_TIMEOUT_MS = 30_000

const newClient = () => new Client({ name: 'switchyard', version: VERSION })

/** A server that is not a Streamable HTTP endpoint answers the first POST with 4xx (404, 405): try SSE. */
const wantsSse = (err: unknown) =>
  err instanceof StreamableHTTPError && err.code !== undefined && err.code >= 400 && err.code < 500

/** The SDK's HTTP errors keep the status apart from a message that may not mention it (an empty 404 body). */
function withStatus(err: unknown): unknown {
  const code = (err as { code?: unknown }).code
  if ((err instanceof StreamableHTTPError || err instanceof SseError) && typeof code === 'number' && code >= 100) {
    return new Error(`the server answered HTTP ${code}: ${err.message}`)
  }
  return err
}

async function open(client: Client, transport: Transport, opts: ConnectOptions): Promise<void> {
  opts.signal?.throwIfAborted()
  const abort = () => void transport.close().catch(() => {})
  opts.signal?.addEventListener('abort', abort, { once: true })
  try {
    await client.connect(transport, { timeout: opts.timeoutMs ?? CONNECT_TIMEOUT_MS, signal: opts.signal })
  } finally {
    opts.signal?.removeEventListener('abort', abort)
  }
  // Set after connect: a failed connect is reported once, by its throw, not also as an error event or a drop.
  client.onerror = (err) => opts.onError(err)
  client.onclose = () => opts.onClose()
}

/**
 * Connects to one upstream MCP server (its config already resolved: env and header secrets in place) and
 * completes the MCP handshake. Throws when it cannot.
 */
export async function connectUpstream(cfg: McpServerConfig, opts: ConnectOptions): Promise<Upstream> {
  if (cfg.command !== undefined) {
    let exit: string | undefined
    const transport = new GroupStdioTransport({
      command: cfg.command,
      args: cfg.args,
      env: cfg.env,
      cwd: cfg.cwd,
      onStderr: opts.onStderr,
    })
    transport.onExit = (code, signal) => {
      exit = signal ? `the server was ended by ${signal}` : `the server exited with code ${code}`
    }
    const client = newClient()
    try {
      await open(client, transport, opts)
    } catch (err) {
      await transport.close()
      throw exit ? new Error(`${(err as Error).message} (${exit})`) : err
    }
    return { client, transport: 'stdio', exitReason: () => exit }
  }
  const url = new URL(cfg.url ?? '')
  const requestInit: RequestInit = { headers: cfg.headers ?? {} }
  const mode = cfg.transport ?? 'auto'
  if (mode !== 'sse') {
    const client = newClient()
    const transport = new StreamableHTTPClientTransport(url, { requestInit })
    try {
      await open(client, transport, opts)
      return { client, transport: 'streamable-http', exitReason: () => undefined }
    } catch (err) {
      await client.close().catch(() => {})
      if (mode === 'streamable-http' || !wantsSse(err)) throw withStatus(err)
    }
  }
  const client = newClient()
  // The SDK sends requestInit's headers on the event stream's GET as well as on the POSTs.
  const transport = new SSEClientTransport(url, { requestInit })
  try {
    await open(client, transport, opts)
  } catch (err) {
    await client.close().catch(() => {})
    throw withStatus(err)
  }
  return { client, transport: 'sse', exitReason: () => undefined }
}
