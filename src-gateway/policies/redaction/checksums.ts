/** Luhn (mod 10) over a string of digits: the check every payment card number carries. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/**
 * ISO 13616 (ISO 7064 mod 97-10): the country code and check digits move to the end, letters become
 * 10..35, and the resulting number must leave 1 modulo 97. Spaces (the printed form) are ignored.
 */
export function ibanValid(iban: string): boolean {
  const compact = iban.replaceAll(' ', '')
  if (compact.length < 15 || compact.length > 34) return false
  const rearranged = compact.slice(4) + compact.slice(0, 4)
  let rest = 0
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i)
    // Digits fold in one at a time, letters as their two-digit value: the remainder never exceeds 9699.
    rest = c <= 57 ? (rest * 10 + (c - 48)) % 97 : (rest * 100 + (c - 55)) % 97
  }
  return rest === 1
}
