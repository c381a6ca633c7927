import { createHash, timingSafeEqual } from 'node:crypto'
import type { VirtualKeyConfig } from '../config/schema.js'
import { compileGlob } from './glob.js'

/** A configured virtual key as held at run time: its secret only as a SHA-256 digest and a masked hint. */
export interface VirtualKey {
  name: string
  hash: Buffer
  /** First and last characters, enough for an admin to tell keys apart. */
  masked: string
  config: Omit<VirtualKeyConfig, 'key'>
  allowsModel(model: string): boolean
  expiresAtMs?: number
}

/** SHA-256 of a secret: what keys are held and compared as (same length on both sides of timingSafeEqual). */
export const secretDigest = (s: string) => createHash('sha256').update(s).digest()

function mask(secret: string): string {
  return secret.length >= 12 ? `${secret.slice(0, 4)}…${secret.slice(-4)}` : '…'
}

export function buildKey(cfg: VirtualKeyConfig): VirtualKey {
  const { key, ...config } = cfg
  const globs = config.models?.map(compileGlob)
  return {
    name: cfg.name,
    hash: secretDigest(key),
    masked: mask(key),
    config,
    allowsModel: (model) => !globs || globs.some((m) => m(model)),
    expiresAtMs: config.expiresAt ? Date.parse(config.expiresAt) : undefined,
  }
}

/**
 * The key a presented secret belongs to. Every configured digest is compared in constant time, and the
 * loop never exits early, so timing tells nothing about which key (or how much of one) matched.
 */
export function findKey(keys: readonly VirtualKey[], given: string): VirtualKey | undefined {
  const g = secretDigest(given)
  let found: VirtualKey | undefined
  for (const k of keys) if (timingSafeEqual(g, k.hash) && !found) found = k
  return found
}

/** The secret a client presented, in either API's convention. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const apiKey = headers['x-api-key']
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey.trim()
  return bearerToken(headers)
}

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim() || undefined
  return undefined
}
