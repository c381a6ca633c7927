import type { PoolClient } from 'pg'
import type { PgPool } from './pool.js'
import { ALERTS_AUDIT_MIGRATION } from './schema-alerts-audit.js'
import { CONFIG_MIGRATION } from './schema-config.js'
import { LOG_INDEXES_MIGRATION } from './schema-log-indexes.js'
import { PROMPTS_MIGRATION } from './schema-prompts.js'
import { TEAM_MIGRATION } from './schema-team.js'

/**
 * Advisory lock keys (pg_advisory_lock takes one bigint; these spell "SY" and a number so they do not meet another
 * application's keys on a shared server). Migrations run under MIGRATION_LOCK, so instances that start together
 * apply each version once; partition creation and retention run on the one instance holding MAINTENANCE_LOCK.
 */
export const MIGRATION_LOCK = 0x5359_0001
export const MAINTENANCE_LOCK = 0x5359_0002
/** Taken inside switchyard_log_partition's transaction: two instances creating one day's partition take turns. */
export const PARTITION_LOCK = 0x5359_0003

export interface PgMigration {
  version: number
  name: string
  sql: string
}

/**
 * The request log in Postgres (config `database`), shared by every instance. Columns are SQLite's (store/
 * migrations.ts) with the same names and 0/1 flags, so rows map to the API the same way, except:
 *
 * - `created_at` is epoch milliseconds (BIGINT), the partition key: one partition per UTC day
 *   (`request_logs_YYYYMMDD`, made by switchyard_log_partition), so retention drops whole days instead of a long
 *   DELETE. No default partition: a row for a day without one fails its flush, and the writer makes today's and
 *   the next two days' ahead.
 * - The bodies (`request_json`, `response_json`, `is_truncated`) are in the row, not a sibling table: one INSERT per
 *   flush, one partition to drop, one lookup for the detail. TOAST stores values past ~2 KB compressed and out of
 *   line, so the scans of list pages and of a range's raw tail do not read them.
 * - `search` is the full-text document the Logs page searches: the meta text (request id, route, requested model,
 *   model, error) with weight A and the bodies' text (search-index.ts bodyText) with weight B, under the `simple`
 *   configuration (lowercased words, no stemming, as SQLite's unicode61). "Meta only" searches match `:A` lexemes.
 *   Sealed bodies are never indexed, as in SQLite.
 * - Ids come from an identity; the primary key is (created_at, id) (a partitioned table's keys must hold the
 *   partition key) and `request_logs_id` finds a row by id alone.
 *
 * Rollups: hour and day cells with the dimensions of rollups.ts (workspace `ws:<dim>` cells included), `start` in
 * epoch SECONDS as in SQLite. Sketches are JSONB objects `{ "<bin>": count }` so two instances' upserts of one cell
 * merge in SQL (switchyard_sketch_merge) under the row lock the upsert takes: `INSERT … ON CONFLICT DO UPDATE SET
 * requests = c.requests + excluded.requests, latency_sketch = switchyard_sketch_merge(c.latency_sketch,
 * excluded.latency_sketch), …`. No minute cells: a range's partial hours are read from the rows (created_at index).
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'request log, rollups, search',
    sql: `
CREATE TABLE request_logs (
  id bigint GENERATED ALWAYS AS IDENTITY,
  created_at bigint NOT NULL,
  request_id text NOT NULL,
  inbound_api text NOT NULL,
  route text,
  provider text,
  model text,
  requested_model text,
  key_name text,
  status integer NOT NULL,
  error text,
  latency_ms double precision NOT NULL,
  ttft_ms double precision,
  input_tokens integer,
  output_tokens integer,
  cached_tokens integer,
  reasoning_tokens integer,
  is_estimated smallint NOT NULL,
  cost_usd double precision,
  is_stream smallint NOT NULL,
  attempts integer NOT NULL,
  is_cache_hit smallint NOT NULL,
  cache_write_tokens integer,
  prompt_name text,
  prompt_version integer,
  prompt_arm text,
  attempt_failures_json text,
  is_fallback smallint NOT NULL DEFAULT 0,
  downgraded_from text,
  redactions_json text,
  guardrails_json text,
  guardrail_action text,
  cache_saved_usd double precision,
  caller text,
  session_id text,
  project text,
  tool_call_repairs integer,
  client_tool text,
  workspace text,
  person text,
  request_json text,
  response_json text,
  is_truncated smallint NOT NULL DEFAULT 0,
  search tsvector,
  PRIMARY KEY (created_at, id)
) PARTITION BY RANGE (created_at);
CREATE INDEX request_logs_id ON request_logs (id);
CREATE INDEX request_logs_request_id ON request_logs (request_id);
CREATE INDEX request_logs_model ON request_logs (model, created_at);
CREATE INDEX request_logs_provider ON request_logs (provider, created_at);
CREATE INDEX request_logs_key ON request_logs (key_name, created_at) WHERE key_name IS NOT NULL;
CREATE INDEX request_logs_errors ON request_logs (created_at, status) WHERE status >= 400;
CREATE INDEX request_logs_prompt ON request_logs (prompt_name, created_at) WHERE prompt_name IS NOT NULL;
CREATE INDEX request_logs_session ON request_logs (session_id, id) WHERE session_id IS NOT NULL;
CREATE INDEX request_logs_project ON request_logs (project, created_at) WHERE project IS NOT NULL;
CREATE INDEX request_logs_mcp ON request_logs (created_at, provider, model) WHERE inbound_api = 'mcp';
CREATE INDEX request_logs_workspace ON request_logs (workspace, id) WHERE workspace IS NOT NULL;
CREATE INDEX request_logs_person ON request_logs (person, id) WHERE person IS NOT NULL;
CREATE INDEX request_logs_search ON request_logs USING gin (search);

CREATE FUNCTION switchyard_log_partition(at_ms bigint) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  day_start bigint := at_ms - ((at_ms % 86400000) + 86400000) % 86400000;
  part text := 'request_logs_' || to_char(to_timestamp(day_start / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NULL THEN
    PERFORM pg_advisory_xact_lock(${PARTITION_LOCK});
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF request_logs FOR VALUES FROM (%s) TO (%s)',
      part, day_start, day_start + 86400000);
  END IF;
  RETURN part;
END
$fn$;

CREATE FUNCTION switchyard_sketch_merge(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE (
    SELECT jsonb_object_agg(bin, n) FROM (
      SELECT bin, sum(n) AS n FROM (
        SELECT key AS bin, value::text::bigint AS n FROM jsonb_each(a)
        UNION ALL
        SELECT key, value::text::bigint FROM jsonb_each(b)
      ) both_sides GROUP BY bin
    ) merged
  ) END
$fn$;

CREATE TABLE log_rollup_hours (
  start bigint NOT NULL,
  dim text NOT NULL,
  value text NOT NULL,
  requests bigint NOT NULL,
  errors bigint NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cost_usd double precision NOT NULL,
  cache_hits bigint NOT NULL,
  cache_saved_usd double precision NOT NULL,
  guardrail_blocked bigint NOT NULL,
  guardrail_flagged bigint NOT NULL,
  redacted_calls bigint NOT NULL,
  latency_sketch jsonb,
  ttft_sketch jsonb,
  PRIMARY KEY (dim, start, value)
);
CREATE TABLE log_rollup_days (LIKE log_rollup_hours INCLUDING ALL);
CREATE TABLE log_rollup_guardrails (
  start bigint NOT NULL,
  check_name text NOT NULL,
  stage text NOT NULL,
  action text NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (start, check_name, stage, action)
);
CREATE TABLE log_rollup_redactions (
  start bigint NOT NULL,
  type text NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (start, type)
);
`,
  },
  PROMPTS_MIGRATION,
  ALERTS_AUDIT_MIGRATION,
  TEAM_MIGRATION,
  CONFIG_MIGRATION,
  LOG_INDEXES_MIGRATION,
]

/** The newest schema version this gateway knows. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1].version

export class PgSchemaError extends Error {}

async function applied(client: PoolClient): Promise<Set<number>> {
  const rows = await client.query<{ version: number }>('SELECT version FROM switchyard_migrations')
  return new Set(rows.rows.map((r) => Number(r.version)))
}

/**
 * Brings the database to PG_SCHEMA_VERSION: each missing migration in its own transaction, all under
 * MIGRATION_LOCK so instances starting together wait for each other instead of racing (the second finds them
 * applied). A database a newer gateway migrated is refused: this one would misread its tables.
 */
export async function migratePg(db: PgPool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  const client = await db.pool.connect()
  const done: number[] = []
  let broken: Error | undefined
  // A connection that breaks while checked out emits 'error' (pg-pool hears idle clients only): noted, not thrown.
  const onError = (err: Error) => {
    broken = err
  }
  client.on('error', onError)
  try {
    // Waiting for another instance's migrations is not a slow statement: no timeout for this session's lock.
    await client.query('SET statement_timeout = 0')
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS switchyard_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at bigint NOT NULL
      )`)
      const have = await applied(client)
      const known = Math.max(0, ...migrations.map((m) => m.version))
      const newest = Math.max(0, ...have)
      if (newest > known) {
        throw new PgSchemaError(
          `the database's request log schema is version ${newest}, newer than this gateway's ${known}: upgrade this gateway`,
        )
      }
      for (const m of migrations) {
        if (have.has(m.version)) continue
        await client.query('BEGIN')
        try {
          await client.query(m.sql)
          await client.query('INSERT INTO switchyard_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            Date.now(),
          ])
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined)
          throw err
        }
        done.push(m.version)
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch((e: Error) => {
        broken = e
      })
      await client.query('RESET statement_timeout').catch((e: Error) => {
        broken = e
      })
    }
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
  return done
}
