import { describe, expect, it } from 'vitest'
import { CallAbort } from '../core/cancel.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallSink, GatewayCall } from './call.js'
import { type CallKind, runCall } from './run-call.js'
import type { Stage } from './stage.js'

/** Just what runCall reads of the gateway: the in-flight set, per-call protection and the log sink. */
function fakeGateway() {
  const rows: LogEvent[] = []
  let inFlight = 0
  const gw = {
    inFlight: {
      add: () => {
        inFlight++
        return () => {
          inFlight--
        }
      },
    },
    protection: { forCall: () => ({}) },
    sink: { push: (e: LogEvent) => rows.push(e) },
  } as unknown as GatewayContext
  return { gw, rows, inFlight: () => inFlight }
}

function fakeCall(): { call: GatewayCall; sink: CallSink; errors: GatewayError[] } {
  const errors: GatewayError[] = []
  const call = {
    requestId: 'r1',
    identity: { kind: 'open' },
    dialect: 'openai',
    body: { model: 'm' },
    headers: {},
    signal: new CallAbort(),
  } as unknown as GatewayCall
  const sink = {
    header: () => undefined,
    json: () => undefined,
    error: (err: GatewayError) => errors.push(err),
    logError: () => undefined,
  } as unknown as CallSink
  return { call, sink, errors }
}

/** A stage that records its before and finally; `refuse` makes its before throw. */
function recording(name: string, log: string[], refuse = false): Stage {
  return {
    name,
    before() {
      log.push(`before ${name}`)
      if (refuse) throw new GatewayError('rate_limited', `${name} is full`)
    },
    finally() {
      log.push(`finally ${name}`)
    },
  }
}

const kind = (stages: Stage[], dispatch: CallKind<never>['dispatch']): CallKind<never> => ({
  stages: stages as Stage<never>[],
  logged: true,
  logsBody: false,
  dispatch,
})

describe('runCall', () => {
  it('gives every stage its finally, in reverse order, once the dispatch is done', async () => {
    const { gw, rows, inFlight } = fakeGateway()
    const { call, sink } = fakeCall()
    const log: string[] = []
    await runCall(
      gw,
      call,
      sink,
      kind([recording('a', log), recording('b', log)], async (s) => {
        log.push('dispatch')
        s.event.status = 200
      }),
    )
    expect(log).toEqual(['before a', 'before b', 'dispatch', 'finally b', 'finally a'])
    expect(rows.map((r) => r.status)).toEqual([200])
    expect(inFlight()).toBe(0)
  })

  it('skips the finally of the stage that refused the call and of those after it', async () => {
    const { gw, rows } = fakeGateway()
    const { call, sink, errors } = fakeCall()
    const log: string[] = []
    const stages = [recording('a', log), recording('full', log, true), recording('c', log)]
    await runCall(
      gw,
      call,
      sink,
      kind(stages, async () => undefined),
    )
    expect(log).toEqual(['before a', 'before full', 'finally a'])
    expect(errors.map((e) => e.status)).toEqual([429])
    expect(rows.map((r) => r.status)).toEqual([429])
  })

  it('runs finally when the dispatch fails or the caller goes away, and still writes the row', async () => {
    const { gw, rows } = fakeGateway()
    const { call, sink } = fakeCall()
    const log: string[] = []
    await runCall(
      gw,
      call,
      sink,
      kind([recording('a', log)], async () => {
        ;(call.signal as CallAbort).abort()
        throw new GatewayError('upstream', 'cut off')
      }),
    )
    expect(log).toEqual(['before a', 'finally a'])
    expect(rows.map((r) => [r.status, r.error])).toEqual([[499, 'aborted']])
  })

  it('keeps going when a finally throws: the other stages clean up and the row is written', async () => {
    const { gw, rows } = fakeGateway()
    const { call, sink } = fakeCall()
    const log: string[] = []
    const broken: Stage = {
      name: 'broken',
      finally() {
        throw new Error('boom')
      },
    }
    await runCall(
      gw,
      call,
      sink,
      kind([recording('a', log), broken], async (s) => {
        s.event.status = 200
      }),
    )
    expect(log).toEqual(['before a', 'finally a'])
    expect(rows).toHaveLength(1)
  })
})
