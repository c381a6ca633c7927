import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createAesGcmCipher,
  createSealedFileStore,
  defaultSecretStore,
  openEncryptedFileStore,
  type SecretCipher,
} from './secrets.js'

const VALUE = 'sk-proj-abcdefghijklmnop-0123'

describe('encrypted secret file', () => {
  const dirs: string[] = []
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'switchyard-secrets-'))
    dirs.push(d)
    return d
  }
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('round-trips values through the file without writing them in plain text', () => {
    const path = join(tmp(), 'secrets.enc.json')
    const store = openEncryptedFileStore(path, 'pass')
    store.set('providers.a.apiKey', VALUE)
    store.set('other', 'x'.repeat(40))
    const text = readFileSync(path, 'utf8')
    expect(text).not.toContain(VALUE)
    expect(JSON.parse(text)).toMatchObject({ format: 'switchyard-secrets/1', sealedBy: 'aes-256-gcm' })

    const reopened = openEncryptedFileStore(path, 'pass')
    expect(reopened.get('providers.a.apiKey')).toBe(VALUE)
    reopened.delete('other')
    expect(openEncryptedFileStore(path, 'pass').names()).toEqual(['providers.a.apiKey'])
    expect(reopened).toMatchObject({ kind: 'encrypted-file', persisted: true })
  })

  it('refuses a wrong key and a tampered value', () => {
    const path = join(tmp(), 's.json')
    openEncryptedFileStore(path, 'right').set('k', VALUE)
    expect(() => openEncryptedFileStore(path, 'wrong')).toThrow(/cannot decrypt secret 'k'/)
    const cipher = createAesGcmCipher('p', Buffer.alloc(16))
    const sealed = cipher.seal(VALUE)
    sealed[sealed.length - 1] ^= 1
    expect(() => cipher.open(sealed)).toThrow()
  })

  it('never opens a file sealed by another cipher', () => {
    const path = join(tmp(), 's.json')
    const reverse: SecretCipher = {
      sealedBy: 'test-reverse',
      seal: (p) => Buffer.from([...p].reverse().join('')),
      open: (b) => [...b.toString()].reverse().join(''),
    }
    createSealedFileStore(path, reverse, { kind: 'test' }).set('k', 'value')
    expect(createSealedFileStore(path, reverse, { kind: 'test' }).get('k')).toBe('value')
    expect(() => openEncryptedFileStore(path, 'pass')).toThrow(/sealed by test-reverse/)
  })

  it('without SWITCHYARD_SECRET_KEY seals the data dir file with a generated key kept beside it', () => {
    const dir = tmp()
    expect(defaultSecretStore(undefined, {})).toMatchObject({ kind: 'memory', persisted: false })
    const store = defaultSecretStore(dir, {})
    expect(store).toMatchObject({ kind: 'encrypted-file', persisted: true, keyFile: join(dir, 'secret-key') })
    store.set('k', VALUE)
    expect(statSync(join(dir, 'secret-key')).mode & 0o777).toBe(0o600)
    expect(defaultSecretStore(dir, {}).get('k')).toBe(VALUE)
    // The file says which key sealed it, so the other one is refused by name instead of failing to decrypt.
    expect(() => defaultSecretStore(dir, { SWITCHYARD_SECRET_KEY: 'k' })).toThrow(/generated key in .*secret-key/)
  })

  it('with SWITCHYARD_SECRET_KEY keeps using it, and refuses to start over its file once it is unset', () => {
    const dir = tmp()
    const store = defaultSecretStore(dir, { SWITCHYARD_SECRET_KEY: 'k' })
    expect(store).toMatchObject({ kind: 'encrypted-file', keyFile: undefined })
    store.set('k', VALUE)
    expect(defaultSecretStore(dir, { SWITCHYARD_SECRET_KEY: 'k' }).get('k')).toBe(VALUE)
    expect(() => defaultSecretStore(dir, {})).toThrow(/sealed with SWITCHYARD_SECRET_KEY, which is not set/)
    expect(existsSync(join(dir, 'secret-key'))).toBe(false)
  })
})
