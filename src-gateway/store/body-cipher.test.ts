import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createMemorySecretStore, type SecretStore } from '../config/secrets.js'
import type { LogEvent } from '../core/log-event.js'
import {
  BODY_KEY_SECRET,
  BodyKeyError,
  BodyOpenError,
  bodyCipherFor,
  createBodyCipher,
  isSealedBody,
  parseBodyKey,
  resolveBodyKey,
} from './body-cipher.js'
import { openDatabase } from './db.js'
import { getLog, UNREADABLE_BODY } from './log-queries.js'
import { createLogWriter } from './log-writer.js'

const HEX_KEY = 'a'.repeat(64)
const keychain = (): SecretStore => ({ ...createMemorySecretStore(), kind: 'os-keychain', persisted: true })

const event = (over: Partial<LogEvent> = {}): LogEvent => ({
  requestId: 'req_1',
  startedAt: Date.parse('2025-01-01T00:00:00Z'),
  inboundApi: 'openai',
  requestedModel: 'gpt-4o',
  status: 200,
  latencyMs: 12,
  stream: false,
  attempts: 1,
  ...over,
})

describe('body cipher', () => {
  const cipher = createBodyCipher(randomBytes(32))

  it('seals to a self-describing string with a fresh IV each time, and opens it again', () => {
    const a = cipher.seal('{"secret":"pelican"}')
    const b = cipher.seal('{"secret":"pelican"}')
    expect(a).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain('pelican')
    expect(isSealedBody(a)).toBe(true)
    expect(cipher.open(a)).toBe('{"secret":"pelican"}')
    expect(cipher.open(cipher.seal(''))).toBe('')
  })

  it('passes text that was never sealed through unchanged', () => {
    expect(cipher.open('{"plain":true}')).toBe('{"plain":true}')
  })

  it('refuses a value sealed with another key, or altered', () => {
    const sealed = cipher.seal('hello')
    expect(() => createBodyCipher(randomBytes(32)).open(sealed)).toThrow(BodyOpenError)
    const raw = Buffer.from(sealed.slice('enc:v1:'.length), 'base64')
    raw[raw.length - 1] ^= 1
    expect(() => cipher.open(`enc:v1:${raw.toString('base64')}`)).toThrow(BodyOpenError)
    expect(() => cipher.open('enc:v1:AAAA')).toThrow(/too short/)
  })
})

describe('body key', () => {
  it('reads 64 hex characters or base64 of 32 bytes, and refuses anything else', () => {
    const bytes = randomBytes(32)
    expect(parseBodyKey(bytes.toString('hex'), 'K')).toEqual(bytes)
    expect(parseBodyKey(bytes.toString('base64'), 'K')).toEqual(bytes)
    expect(parseBodyKey(bytes.toString('base64url'), 'K')).toEqual(bytes)
    expect(() => parseBodyKey('correct horse battery staple', 'K')).toThrow(BodyKeyError)
    expect(() => parseBodyKey(randomBytes(16).toString('hex'), 'K')).toThrow(/64 hex characters/)
  })

  it('takes SWITCHYARD_BODY_KEY before the keychain', () => {
    const store = keychain()
    store.set(BODY_KEY_SECRET, 'b'.repeat(64))
    expect(resolveBodyKey({ env: { SWITCHYARD_BODY_KEY: HEX_KEY }, secrets: store })).toEqual(
      Buffer.from(HEX_KEY, 'hex'),
    )
    expect(resolveBodyKey({ env: {}, secrets: store })).toEqual(Buffer.from('b'.repeat(64), 'hex'))
  })

  it('makes a key in the OS keychain on first use only when asked to, then keeps using it', () => {
    const store = keychain()
    expect(resolveBodyKey({ env: {}, secrets: store })).toBeUndefined()
    expect(store.names()).toEqual([])
    const made = resolveBodyKey({ env: {}, secrets: store }, true)
    expect(made).toHaveLength(32)
    expect(resolveBodyKey({ env: {}, secrets: store }, true)).toEqual(made)
  })

  it('never keeps a key in a store that is not the OS keychain', () => {
    const memory = createMemorySecretStore()
    expect(resolveBodyKey({ env: {}, secrets: memory }, true)).toBeUndefined()
    expect(memory.names()).toEqual([])
  })

  it('refuses to start encrypting without a key, naming the variable', () => {
    expect(() => bodyCipherFor(true, { env: {} })).toThrow(/SWITCHYARD_BODY_KEY/)
    expect(bodyCipherFor(false, { env: {} })).toBeUndefined()
    // Off, but a key exists: rows sealed earlier must still open.
    expect(bodyCipherFor(false, { env: { SWITCHYARD_BODY_KEY: HEX_KEY } })).toBeDefined()
  })
})

describe('encrypted request log bodies', () => {
  it('are sealed by the writer and opened by getLog; a foreign key reads as a marker', () => {
    const db = openDatabase(':memory:')
    const cipher = createBodyCipher(Buffer.from(HEX_KEY, 'hex'))
    const writer = createLogWriter(db, { cipher })
    writer.push(
      event({ requestBody: { messages: [{ role: 'user', content: 'pelican' }] }, responseBody: 'Echo: pelican' }),
    )
    writer.flush()
    const stored = db.prepare('SELECT request_json, response_json FROM request_log_bodies').get() as Record<
      string,
      string
    >
    expect(isSealedBody(stored.request_json) && isSealedBody(stored.response_json)).toBe(true)
    expect(JSON.stringify(stored)).not.toContain('pelican')

    const id = Number(db.prepare('SELECT id FROM request_logs').pluck().get())
    expect(getLog(db, id, cipher)).toMatchObject({
      requestBody: { messages: [{ role: 'user', content: 'pelican' }] },
      responseBody: 'Echo: pelican',
      bodyError: null,
    })
    const foreign = getLog(db, id, createBodyCipher(randomBytes(32)))
    expect(foreign).toMatchObject({ requestBody: UNREADABLE_BODY, responseBody: UNREADABLE_BODY })
    expect(foreign?.bodyError).toMatch(/different key/)
    expect(getLog(db, id)?.bodyError).toMatch(/SWITCHYARD_BODY_KEY/)
    db.close()
  })

  it('leave rows stored before encryption readable', () => {
    const db = openDatabase(':memory:')
    const plain = createLogWriter(db)
    plain.push(event({ requestBody: { before: true } }))
    plain.flush()
    const id = Number(db.prepare('SELECT id FROM request_logs').pluck().get())
    expect(getLog(db, id, createBodyCipher(randomBytes(32)))).toMatchObject({
      requestBody: { before: true },
      bodyError: null,
    })
    db.close()
  })
})
