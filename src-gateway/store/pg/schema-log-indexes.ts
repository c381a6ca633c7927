/**
 * Indexes the Logs page needs on Postgres beyond SQLite's. Its pages are newest first by id across every day's
 * partition, so a filter that is rare (errors are a few percent of calls) walked the id index backwards and read
 * every row in between to find a page and its capped total: at a million rows, 300 000 rows for 10 001 errors.
 * The partial index holds the failed calls' ids only, so that page reads its own rows from the index alone.
 * Created on the partitioned table, so each day's partition (existing and future) gets its own.
 */
export const LOG_INDEXES_MIGRATION = {
  version: 6,
  name: 'request log: error ids',
  sql: `
CREATE INDEX request_logs_error_ids ON request_logs (id) WHERE status >= 400;
`,
}
