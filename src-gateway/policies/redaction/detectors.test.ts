import { describe, expect, it } from 'vitest'
import { ibanValid, luhnValid } from './checksums.js'
import { BUILTIN_DETECTORS, createScanner, customDetectors } from './detectors.js'
import { looksRandom } from './random-token.js'

const scan = createScanner(BUILTIN_DETECTORS)
/** The values found in a text, as `type:value`. */
const found = (text: string) => scan(text).map((e) => `${e.type}:${e.value}`)
/** The values of one type found in a text. */
const ofType = (type: string, text: string) => scan(text).flatMap((e) => (e.type === type ? [e.value] : []))

describe('checksums', () => {
  it('Luhn accepts valid card numbers and rejects a changed digit', () => {
    for (const n of ['4111111111111111', '5500005555555559', '378282246310005', '6011111111111117']) {
      expect(luhnValid(n)).toBe(true)
    }
    expect(luhnValid('4111111111111112')).toBe(false)
    expect(luhnValid('378282246310006')).toBe(false)
  })

  it('IBAN mod-97 accepts registry examples and rejects wrong check digits', () => {
    for (const iban of [
      'DE89370400440532013000',
      'GB82 WEST 1234 5698 7654 32',
      'FR1420041010050500013M02606',
      'NO9386011117947',
    ]) {
      expect(ibanValid(iban)).toBe(true)
    }
    expect(ibanValid('DE89370400440532013001')).toBe(false)
    expect(ibanValid('GB83WEST12345698765432')).toBe(false)
    expect(ibanValid('DE89 3704')).toBe(false)
  })
})

describe('email', () => {
  it('finds addresses in prose, with subdomains, plus tags and trailing punctuation', () => {
    expect(ofType('email', 'Write to john.doe+news@mail.example.co.uk. Or <ann_o@x-y.io>, thanks')).toEqual([
      'john.doe+news@mail.example.co.uk',
      'ann_o@x-y.io',
    ])
    expect(ofType('email', 'mailto:team@example.com?subject=hi')).toEqual(['team@example.com'])
  })

  it('leaves decorators, scoped packages, versions and SSH remotes alone', () => {
    expect(found('@Component @types/node lodash@4.17.21 user@localhost git@github.com:org/repo.git')).toEqual([])
  })
})

describe('phone', () => {
  it('finds international numbers in the usual layouts', () => {
    const numbers = [
      '+1 (415) 555-1234',
      '+1-415-555-1234',
      '+44 20 7946 0958',
      '+44 (0)20 7946 0958',
      '+33 6 12 34 56 78',
      '+49 30 1234567',
      '+14155551234',
      '+91 98765 43210',
    ]
    for (const n of numbers) expect(ofType('phone', `call ${n} today`), n).toEqual([n])
  })

  it('finds North American and trunk-0 national numbers', () => {
    for (const n of [
      '415-555-1234',
      '(415) 555-1234',
      '415.555.1234',
      '1-800-555-1234',
      '020 7946 0958',
      '07700 900123',
      '06 12 34 56 78',
      '030 1234567',
      '(030) 1234567',
    ]) {
      expect(ofType('phone', `tel: ${n}.`), n).toEqual([n])
    }
  })

  it('leaves dates, times, versions, order numbers and plain long numbers alone', () => {
    const text = [
      '2024-01-15',
      '15.01.2024',
      '01/02/2024',
      '01.02.2024',
      '2024-01-15T10:30:00Z',
      'v1.2.3',
      '20.19.0',
      '1.10.100.1000',
      'order 12345678901',
      '#123-456-7890',
      'ts 1718035200000',
      'id 4155551234',
      '415-555-12345',
      '00 01 02 03 04 05 06 07',
      'x+14155551234',
      'a = b +1234567',
      'mixed 415-555.1234',
    ].join(' ; ')
    expect(ofType('phone', text)).toEqual([])
  })
})

describe('credit_card', () => {
  it('finds Luhn-valid numbers, compact or printed in groups', () => {
    expect(
      ofType(
        'credit_card',
        'Visa 4111 1111 1111 1111, MC 5500-0055-5555-5559, Amex 3782 822463 10005, raw 4111111111111111',
      ),
    ).toEqual(['4111 1111 1111 1111', '5500-0055-5555-5559', '3782 822463 10005', '4111111111111111'])
  })

  it('rejects a failed Luhn check, odd grouping, mixed separators and numbers no card starts with', () => {
    const text = '4111 1111 1111 1112 ; 41111 111 1111 1111 ; 4111-1111 1111-1111 ; 1718035200000 ; 9111111111111111'
    expect(ofType('credit_card', text)).toEqual([])
  })

  it('is not read as a phone number', () => {
    expect(found('card 4111 1111 1111 1111')).toEqual(['credit_card:4111 1111 1111 1111'])
  })
})

describe('iban', () => {
  it('finds valid IBANs, compact or in groups of four', () => {
    expect(ofType('iban', 'Pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432, thanks')).toEqual([
      'DE89 3704 0044 0532 0130 00',
      'GB82WEST12345698765432',
    ])
  })

  it('rejects wrong check digits and lowercase look-alikes', () => {
    expect(ofType('iban', 'DE89 3704 0044 0532 0130 01 and de89370400440532013000')).toEqual([])
  })
})

describe('ip', () => {
  it('finds IPv4 and IPv6 addresses, compressed and with an IPv4 tail', () => {
    expect(ofType('ip', 'hosts 192.168.1.10, 8.8.8.8 and [2001:db8::1]:443, fe80::1%eth0, ::ffff:192.0.2.1.')).toEqual([
      '192.168.1.10',
      '8.8.8.8',
      '2001:db8::1',
      'fe80::1',
      '::ffff:192.0.2.1',
    ])
    expect(ofType('ip', '2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toEqual(['2001:0db8:85a3:0000:0000:8a2e:0370:7334'])
  })

  it('leaves loopback, any, out-of-range octets, versions, times, MACs and C++ paths alone', () => {
    const text = '127.0.0.1 0.0.0.0 ::1 256.1.1.1 v1.2.3.4 1.2.3.4.5 10:30:00 00:1A:2B:3C:4D:5E std::vector cafe::face'
    expect(ofType('ip', text)).toEqual([])
  })
})

describe('api_key', () => {
  const keys = [
    'sk-proj-abc123DEF456ghi789JKL012mno',
    'sk-ant-api03-AbCdEf123456GhIjKl789012MnOp',
    'sk-or-v1-0123456789abcdef0123456789abcdef',
    'sk_live_abcdefGHIJ123456789',
    'rk_live_abcdefGHIJ123456789',
    'AKIAIOSFODNN7EXAMPLE',
    'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
    'gho_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    'xoxb-123456789012-abcdefGHIJ',
    'xoxp-123456789012-abcdefGHIJ',
    'AIzaSyA1234567890abcdefghijklmnopqrstu',
    'glpat-abcdefghij1234567890',
    'hf_abcdefghijklmnopqrstuvwxyz0123456789',
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  ]
  it.each(keys)('finds %s by its prefix', (key) => {
    expect(found(`key: ${key} end`)).toEqual([`api_key:${key}`])
  })

  it('finds PEM private key blocks, whole, and cut-off ones to the end', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2\nabc==\n-----END RSA PRIVATE KEY-----'
    expect(found(`here:\n${pem}\nthanks`)).toEqual([`api_key:${pem}`])
    const cut = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA'
    expect(found(`oops ${cut}`)).toEqual([`api_key:${cut}`])
    expect(found('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')).toEqual([])
  })

  it('leaves words that merely start like a prefix alone', () => {
    expect(found('task-force risk-assessment sk-learn-compatible-estimators ask-me-anything-about-it')).toEqual([])
  })

  it('finds generic high-entropy tokens, also as the value of KEY=value', () => {
    expect(found('token JHXef5jfJlv2HRAu6Hrw88EtQz and API_KEY=b4qmVdRCNkX3FLoNUgjhlIFlCyoSqCfU')).toEqual([
      'api_key:JHXef5jfJlv2HRAu6Hrw88EtQz',
      'api_key:b4qmVdRCNkX3FLoNUgjhlIFlCyoSqCfU',
    ])
  })

  it('leaves identifiers, paths, slugs, hashes and UUIDs alone', () => {
    const text = [
      'getUserAccountSettings2024Handler',
      'ProviderConfigSchema2ValidatorFactory',
      'MAX_RETRY_ATTEMPTS_PER_REQUEST_2',
      'src/components/Button2/index',
      'github.com/nodejs/node-gyp/commit/13814583a476c85a84d5ac902c7ffa310120cb88',
      'how-to-install-node-20-on-ubuntu-22-04',
      'claude-3-5-sonnet-20241022',
      '5c707751e81c3deeb2cf980d185fc7fd43611415',
      '550e8400-e29b-41d4-a716-446655440000',
      'sha512-zy+OOB7i1J7rCjNoPB2ZBD7EAtT0Eus1wH+toklZGL2XpwHyw+POGUGOpEBBE6xe5EkAYWXzFSTQ3uD8UtW',
      'abcdefghijklmnopqrstuvwxyzabcdef',
    ].join(' ')
    expect(found(text)).toEqual([])
  })

  it('judges tokens on entropy, words and separators', () => {
    expect(looksRandom('LpmH2FISAsXUO909wG3oe9hn')).toBe(true)
    expect(looksRandom('aaaaaaaaaaaaaaaaaaaaaaa1')).toBe(false)
    expect(looksRandom('PaddingLeft16pxMarginTop24pxBorder2')).toBe(false)
    expect(looksRandom('Mozilla-5-0-X11-Linux-x86-64-a1-b2')).toBe(false)
    expect(looksRandom(`A1${'b2C3d4E5'.repeat(80)}`)).toBe(false)
  })
})

describe('scanner', () => {
  it('keeps one entity per span: the longest wins', () => {
    // The generic token covers the IBAN's span exactly; the IBAN comes first in the table.
    expect(found('FR1420041010050500013M02606')).toEqual(['iban:FR1420041010050500013M02606'])
    // A JWT is longer than any of its dot-separated parts.
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.abcDEF123ghiJKL456mnoPQR789stuVWX'
    expect(found(jwt)).toEqual([`api_key:${jwt}`])
    // Longer beats leftmost: the short match starting first gives way to the long one it overlaps.
    const nested = createScanner(
      customDetectors([
        { name: 'short', pattern: 'A-\\d' },
        { name: 'long', pattern: '\\d{9}' },
      ]),
    )
    expect(nested('id A-123456789 and A-1').map((e) => `${e.type}:${e.value}`)).toEqual(['long:123456789', 'short:A-1'])
  })

  it('orders entities by position', () => {
    const text = 'a@b.io then 8.8.8.8 then +44 20 7946 0958'
    expect(scan(text).map((e) => [e.type, e.start, text.slice(e.start, e.end)])).toEqual([
      ['email', 0, 'a@b.io'],
      ['ip', 12, '8.8.8.8'],
      ['phone', 25, '+44 20 7946 0958'],
    ])
  })

  it('reads JSON escapes in tool-call arguments as boundaries and never splits one', () => {
    const args = JSON.stringify({ note: 'line\njane@example.org\tAKIAIOSFODNN7EXAMPLE\n+44 20 7946 0958' })
    expect(found(args)).toEqual(['email:jane@example.org', 'api_key:AKIAIOSFODNN7EXAMPLE', 'phone:+44 20 7946 0958'])
  })

  it('runs custom patterns, ahead of built-ins on a tie, and skips empty matches', () => {
    const custom = createScanner([
      ...customDetectors([
        { name: 'employee_id', pattern: 'EMP-\\d{6}' },
        { name: 'ticket', pattern: 'tkt-[a-z]+', flags: 'i' },
      ]),
      ...BUILTIN_DETECTORS,
    ])
    expect(custom('EMP-123456 and TKT-abc and a@b.io').map((e) => `${e.type}:${e.value}`)).toEqual([
      'employee_id:EMP-123456',
      'ticket:TKT-abc',
      'email:a@b.io',
    ])
    const optional = createScanner(customDetectors([{ name: 'x', pattern: 'x*' }]))
    expect(optional('axxb').map((e) => e.value)).toEqual(['xx'])
  })
})
