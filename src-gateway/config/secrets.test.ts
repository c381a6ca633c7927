import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
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

  it('falls back to memory without SWITCHYARD_SECRET_KEY', () => {
    const dir = tmp()
    expect(defaultSecretStore(dir, {})).toMatchObject({ kind: 'memory', persisted: false })
    expect(defaultSecretStore(dir, { SWITCHYARD_SECRET_KEY: 'k' })).toMatchObject({ kind: 'encrypted-file' })
  })
})
