import type { FastifyInstance } from 'fastify'
import type { LogFilterQuery } from '../../../src-shared/contract/logs.js'
import { GatewayError } from '../../core/errors.js'
import type { Db } from '../../store/db.js'
import type { LogFilter } from '../../store/log-filter.js'

/** An ISO time as stored (`toISOString`), so that string comparison in SQL orders correctly. */
export function isoParam(value: string | undefined, param: string): string | undefined {
  if (value === undefined) return undefined
  const t = Date.parse(value)
  if (Number.isNaN(t)) {
    throw new GatewayError('invalid_request', `${param} must be an ISO-8601 time, e.g. 2025-01-31T12:00:00Z`, {
      param,
    })
  }
  return new Date(t).toISOString()
}

export function toLogFilter(q: LogFilterQuery): LogFilter {
  return {
    from: isoParam(q.from, 'from'),
    to: isoParam(q.to, 'to'),
    model: q.model,
    provider: q.provider,
    key: q.key,
    status: q.status === undefined ? undefined : q.status === 'error' ? 'error' : Number(q.status),
    q: q.q,
    cache: q.cache,
    guardrail: q.guardrail,
    redacted: q.redacted === 'true' || undefined,
    session: q.session,
    workspace: q.workspace,
    person: q.person,
    kind: q.kind,
  }
}

/** The database, or a 503 saying why there is none (the gateway was started without a data dir). */
export function requireDb(app: FastifyInstance): Db {
  if (app.db?.open) return app.db
  throw new GatewayError(
    'internal',
    'request logging is off: the gateway runs without a database (started with --no-log, or without a data dir: --data-dir or SWITCHYARD_DATA_DIR)',
    { status: 503, code: 'storage_unavailable' },
  )
}
