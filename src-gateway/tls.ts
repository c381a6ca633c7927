import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createSecureContext } from 'node:tls'
import { ConfigError } from './config/load.js'
import type { GatewayConfig } from './config/schema.js'

export type TlsConfig = NonNullable<NonNullable<GatewayConfig['server']>['tls']>

/**
 * Reads `server.tls` (PEM files; relative paths from the config file's folder) and checks that they make a
 * usable certificate and key, so a bad path or a mismatched pair stops the start with a clear message.
 */
export function readTlsFiles(tls: TlsConfig, configPath?: string): { cert: Buffer; key: Buffer } {
  const base = configPath ? dirname(configPath) : process.cwd()
  const read = (field: 'cert' | 'key') => {
    const path = resolve(base, tls[field])
    try {
      return readFileSync(path)
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      throw new ConfigError(`cannot read server.tls.${field} (${path}): ${why}`)
    }
  }
  const files = { cert: read('cert'), key: read('key') }
  try {
    createSecureContext(files)
  } catch (err) {
    throw new ConfigError(`server.tls: the certificate and key are not a usable PEM pair: ${(err as Error).message}`)
  }
  return files
}
