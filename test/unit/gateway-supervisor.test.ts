import { describe, expect, it } from 'vitest'
import type { FromGateway, StartMessage, ToGateway } from '../../src-gateway/host/messages.js'
import type { ChildExit, GatewayChild } from '../../src-main/gateway-child.js'
import { GatewaySupervisor, type SupervisorNotice } from '../../src-main/gateway-supervisor.js'

// The supervisor's decisions with scripted children (no processes): which starts count as crashes, when it
// gives up, that a quit stops restarts, that a silent gateway cannot hang a request.

class FakeChild implements GatewayChild {
  readonly sent: ToGateway[] = []
  killed = false
  private messageListeners: ((m: FromGateway) => void)[] = []
  private exitListeners: ((e: ChildExit) => void)[] = []
  constructor(readonly pid: number) {}
  send(m: ToGateway) {
    this.sent.push(m)
  }
  onMessage(l: (m: FromGateway) => void) {
    this.messageListeners.push(l)
  }
  onExit(l: (e: ChildExit) => void) {
    this.exitListeners.push(l)
  }
  kill() {
    this.killed = true
    queueMicrotask(() => this.exit({ code: null, signal: 'SIGTERM' }))
  }
  say(m: FromGateway) {
    for (const l of this.messageListeners) l(m)
  }
  exit(e: ChildExit) {
    for (const l of this.exitListeners.splice(0)) l(e)
  }
  ready(port: number) {
    this.say({ type: 'ready', port, baseUrl: `http://127.0.0.1:${port}`, adminToken: 't', closeWithinMs: 100 })
  }
}

/** A supervisor whose children do what `script(child, n)` says when started (n counts from 1). */
function supervised(
  script: (child: FakeChild, n: number) => void,
  opts: { maxRestarts?: number; now?: () => number } = {},
) {
  const children: FakeChild[] = []
  const notices: SupervisorNotice[] = []
  const sup = new GatewaySupervisor({
    spawn: () => {
      const child = new FakeChild(children.length + 1)
      children.push(child)
      // The start message is sent right after spawn: answer once it is there.
      queueMicrotask(() => script(child, children.length))
      return child
    },
    startMessage: (ports): StartMessage => ({
      type: 'start',
      dataDir: '/nowhere',
      ports,
      paused: false,
      secrets: { kind: 'memory', persisted: false, values: {} },
    }),
    backoffMs: () => 1,
    maxRestarts: opts.maxRestarts ?? 5,
    now: opts.now,
  })
  sup.onNotice((n) => notices.push(n))
  return { sup, children, notices }
}

const settle = () => new Promise((r) => setTimeout(r, 30))

describe('GatewaySupervisor', () => {
  it("rejects the first start with the gateway's own message and does not retry it", async () => {
    const { sup, children } = supervised((c) => c.say({ type: 'failed', message: 'config.yaml: bad route' }))
    await expect(sup.start([4141])).rejects.toThrow('config.yaml: bad route')
    await settle()
    expect(children).toHaveLength(1)
    expect(children[0].killed).toBe(true)
  })

  it('counts a restart that cannot start as another stop, and gives up at the bound', async () => {
    const { sup, children, notices } = supervised(
      (c, n) => (n === 1 ? c.ready(5000) : c.say({ type: 'failed', message: 'database is locked' })),
      { maxRestarts: 2 },
    )
    await sup.start([0])
    children[0].exit({ code: 1 })
    await settle()
    expect(children).toHaveLength(3)
    expect(sup.state).toBe('failed')
    expect(notices).toEqual([
      {
        level: 'error',
        message:
          'The gateway stopped 3 times within 60 s and was not restarted (the last time: it could not start ' +
          'again: database is locked). Quit and reopen Switchyard to try again.',
      },
    ])
  })

  it('counts only the stops within the window: a gateway that crashes once a day is always restarted', async () => {
    let clock = 0
    const { sup, children, notices } = supervised((c) => c.ready(5000), { maxRestarts: 2, now: () => clock })
    await sup.start([0])
    for (let day = 1; day <= 4; day++) {
      clock += 86_400_000
      children.at(-1)!.exit({ code: 1 })
      await settle()
    }
    expect(sup.state).toBe('running')
    expect(children).toHaveLength(5)
    expect(notices.map((n) => n.level)).toEqual(['warning', 'warning', 'warning', 'warning'])
  })

  it('restarts on the old port first and says when it had to move', async () => {
    const { sup, children, notices } = supervised((c, n) => c.ready(n === 1 ? 5000 : 5001))
    await sup.start([0])
    children[0].exit({ code: 134 })
    await settle()
    expect((children[1].sent[0] as StartMessage).ports).toEqual([5000])
    expect(sup.state).toBe('running')
    expect(notices.map((n) => n.message)).toEqual([
      'The gateway stopped unexpectedly (exit code 134) and was restarted on port 5001 (port 5000 was taken)',
    ])
  })

  it('does not restart after a quit, even one that comes while a restart waits', async () => {
    const { sup, children } = supervised((c) => c.ready(5000))
    await sup.start([0])
    const closing = sup.close()
    // The gateway answers the close (its log is written), then is ended.
    const close = children[0].sent.find((m) => m.type === 'request') as { id: number }
    children[0].say({ type: 'reply', id: close.id, ok: true })
    await closing
    expect(children[0].killed).toBe(true)

    const waiting = supervised((c) => c.ready(5000))
    await waiting.sup.start([0])
    waiting.children[0].exit({ code: 1 })
    await waiting.sup.close()
    await settle()
    for (const s of [sup, waiting.sup]) expect(s.state).toBe('closed')
    expect([children.length, waiting.children.length]).toEqual([1, 1])
  })

  it('fails a request the gateway never answers instead of waiting forever', async () => {
    const { sup } = supervised((c) => c.ready(5000))
    await sup.start([0])
    await expect(sup.request({ op: 'status' }, 20)).rejects.toThrow("the gateway did not answer 'status' within 0.02 s")
  })
})
