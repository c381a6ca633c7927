import { randomBytes } from 'node:crypto'

/** Cheap, unique-enough request ids: a per-process random prefix plus a counter. */
export function requestIdFactory(): () => string {
  const prefix = `req_${randomBytes(4).toString('hex')}`
  let n = 0
  return () => `${prefix}${(++n).toString(36).padStart(6, '0')}`
}
