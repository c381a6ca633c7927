/** The shortest password the team screens accept: long passwords beat character-class rules (NIST SP 800-63B). */
export const MIN_PASSWORD = 10
/** Argon2 hashes any length, but a megabyte "password" is an attack on the hasher, not a password. */
export const MAX_PASSWORD = 1024

export type Strength = 'too-short' | 'weak' | 'fair' | 'strong'

/**
 * A hint while typing, not a gate beyond the minimum length: length counts most, then the kinds of character
 * used; one character repeated or a run like `123456…` is weak whatever its length.
 */
export function passwordStrength(password: string): Strength {
  if (password.length < MIN_PASSWORD) return 'too-short'
  const distinct = new Set(password).size
  if (distinct <= 3) return 'weak'
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length
  if (password.length >= 16 && kinds >= 2) return 'strong'
  if (password.length >= 20) return 'strong'
  return kinds >= 3 ? 'fair' : 'weak'
}

export const STRENGTH_TEXT: Record<Strength, string> = {
  'too-short': `Too short: at least ${MIN_PASSWORD} characters.`,
  weak: 'Weak: make it longer, or mix in other kinds of characters.',
  fair: 'Fair: a few more characters make it strong.',
  strong: 'Strong.',
}

/** Why a new password cannot be sent yet, or null when it can. */
export function newPasswordProblem(password: string, repeat: string): string | null {
  if (password.length < MIN_PASSWORD) return `The password needs at least ${MIN_PASSWORD} characters.`
  if (password.length > MAX_PASSWORD) return `The password can have at most ${MAX_PASSWORD} characters.`
  if (password !== repeat) return 'The two passwords differ.'
  return null
}
