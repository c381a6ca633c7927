import { type ChildProcess, spawn } from 'node:child_process'
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js'
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/** The largest JSON-RPC line a server may send (a big resource or image result fits). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024
/** How long a closing server gets after its stdin ends, then after SIGTERM, before SIGKILL. */
const CLOSE_GRACE_MS = 1000
// Process groups are POSIX; on Windows the child alone is killed.
const GROUPS = process.platform !== 'win32'

/** Process groups of the servers running now, killed when the gateway's process exits in any orderly way. */
const running = new Set<ChildProcess>()
let exitHookSet = false

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    if (GROUPS) process.kill(-child.pid, signal)
    else child.kill(signal)
  } catch {
    // already gone
  }
}

function watchExit(): void {
  if (exitHookSet) return
  exitHookSet = true
  // 'exit' handlers must be synchronous: a signal is all that can be sent, and SIGKILL needs no answer.
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL')
  })
}

export interface StdioServerParams {
  command: string
  args?: string[]
  /** Over a minimal inherited set (the SDK's: PATH, HOME, USER, SHELL, TERM, LOGNAME), never the gateway's own. */
  env?: Record<string, string>
  cwd?: string
  onStderr(chunk: string): void
}

/**
 * MCP over a child's stdin/stdout, the child leading its own process group. The SDK's StdioClientTransport
 * signals only the child it spawned, so `npx some-server` would leave the real server (npx's grandchild)
 * running after close; here close ends the whole group, and so does the server's own exit (whatever it
 * started goes with it) and the gateway's exit.
 */
export class GroupStdioTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  /** Told when the child exits, before onclose. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void
  private child: ChildProcess | undefined
  private readonly buffer = new ReadBuffer({ maxBufferSize: MAX_MESSAGE_BYTES })

  constructor(private readonly params: StdioServerParams) {}

  get pid(): number | undefined {
    return this.child?.pid
  }

  start(): Promise<void> {
    if (this.child) throw new Error('already started')
    watchExit()
    return new Promise((resolve, reject) => {
      const child = spawn(this.params.command, this.params.args ?? [], {
        env: { ...getDefaultEnvironment(), ...this.params.env },
        cwd: this.params.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: GROUPS,
        shell: false,
        windowsHide: true,
      })
      this.child = child
      running.add(child)
      child.on('error', (err) => {
        reject(err)
        this.onerror?.(err)
      })
      child.on('spawn', () => resolve())
      child.on('exit', (code, signal) => {
        running.delete(child)
        this.onExit?.(code, signal)
        // The server is gone; anything it left in its group goes too.
        killGroup(child, 'SIGKILL')
      })
      child.on('close', () => {
        if (this.child === child) this.child = undefined
        this.onclose?.()
      })
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.buffer.append(chunk)
        } catch (err) {
          this.onerror?.(err as Error)
          void this.close()
          return
        }
        for (;;) {
          let message: JSONRPCMessage | null
          try {
            message = this.buffer.readMessage()
          } catch (err) {
            // A line that is not JSON-RPC (a stray console.log) is reported and skipped.
            this.onerror?.(err as Error)
            continue
          }
          if (message === null) break
          this.onmessage?.(message)
        }
      })
      child.stdin?.on('error', (err) => this.onerror?.(err))
      child.stderr?.setEncoding('utf8')
      child.stderr?.on('data', (chunk: string) => this.params.onStderr(chunk))
    })
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin
    if (!stdin || stdin.destroyed) return Promise.reject(new Error('not connected'))
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve()
      else stdin.once('drain', resolve)
    })
  }

  /** Ends stdin (the polite way to stop an MCP server), then SIGTERM, then SIGKILL, to the whole group. */
  async close(): Promise<void> {
    const child = this.child
    if (!child) return
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => resolve())
    })
    const within = (ms: number) =>
      Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())])
    child.stdin?.end()
    if (!(await within(CLOSE_GRACE_MS))) {
      killGroup(child, 'SIGTERM')
      if (!(await within(CLOSE_GRACE_MS))) killGroup(child, 'SIGKILL')
    }
    killGroup(child, 'SIGKILL')
    this.buffer.clear()
  }
}
