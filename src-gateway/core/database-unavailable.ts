import { GatewayError } from './errors.js'

/**
 * Thrown by a Postgres store (config `database`) while its database cannot be used: not connected yet, down, or its
 * schema not migrated. Admin routes answer it as 503 `storage_unavailable` in their own format, as they do for a
 * gateway without a data folder; the caller may try again once Postgres answers.
 */
export class DatabaseUnavailableError extends GatewayError {
  constructor(what: string) {
    super('unavailable', `${what} cannot be read or written: the shared Postgres database is not reachable now`, {
      status: 503,
      code: 'storage_unavailable',
      retryAfter: '1',
    })
  }
}
