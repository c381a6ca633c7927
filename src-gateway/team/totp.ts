import { Secret, TOTP } from 'otpauth'

const PERIOD_S = 30

const totpOf = (secret: string, label = '') =>
  new TOTP({ issuer: 'Switchyard', label, secret: Secret.fromBase32(secret), period: PERIOD_S })

/** A new 160-bit secret (RFC 4226's recommended size), base32 as authenticator apps take it. */
export const newTotpSecret = () => new Secret({ size: 20 }).base32

/** The `otpauth://` URI an authenticator app scans (as a QR code) or takes pasted. */
export const totpUri = (secret: string, label: string) => totpOf(secret, label).toString()

/**
 * The time step a code is valid for (this one, or one step either side for clock drift), or undefined. The caller
 * accepts only steps after the last one used, so a code seen over a shoulder cannot be replayed.
 */
export function totpStep(secret: string, code: string, now: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: 1 })
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD_S) + delta
}
