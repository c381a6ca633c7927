// Schema versions, applied in order; a database records the last one it has in `PRAGMA user_version`.
// Never edit a released migration: append a new one.
export const MIGRATIONS: string[] = [
  `CREATE TABLE request_logs (
     id INTEGER PRIMARY KEY,
     created_at TEXT NOT NULL,
     request_id TEXT NOT NULL,
     inbound_api TEXT NOT NULL,
     route TEXT,
     provider TEXT,
     model TEXT,
     requested_model TEXT,
     key_name TEXT,
     status INTEGER NOT NULL,
     error TEXT,
     latency_ms REAL NOT NULL,
     ttft_ms REAL,
     input_tokens INTEGER,
     output_tokens INTEGER,
     cached_tokens INTEGER,
     reasoning_tokens INTEGER,
     is_estimated INTEGER NOT NULL DEFAULT 0,
     cost_usd REAL,
     is_stream INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 1,
     is_cache_hit INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX request_logs_created_at ON request_logs(created_at);
   CREATE INDEX request_logs_model ON request_logs(model, created_at);`,
  // Bodies live in their own table so that stats and list scans over request_logs stay compact.
  `ALTER TABLE request_logs ADD COLUMN cache_write_tokens INTEGER;
   CREATE TABLE request_log_bodies (
     log_id INTEGER PRIMARY KEY REFERENCES request_logs(id) ON DELETE CASCADE,
     request_json TEXT,
     response_json TEXT,
     is_truncated INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX request_logs_provider ON request_logs(provider, created_at);
   CREATE INDEX request_logs_key_name ON request_logs(key_name, created_at);
   CREATE INDEX request_logs_status ON request_logs(status, created_at);
   CREATE INDEX request_logs_request_id ON request_logs(request_id);`,
  // Prompt library, A/B arms on request rows, feedback, and comparison runs (issue 8).
  `ALTER TABLE request_logs ADD COLUMN prompt_name TEXT;
   ALTER TABLE request_logs ADD COLUMN prompt_version INTEGER;
   ALTER TABLE request_logs ADD COLUMN prompt_arm TEXT;
   CREATE INDEX request_logs_prompt ON request_logs(prompt_name, created_at);
   CREATE TABLE prompts (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE prompt_versions (
     id INTEGER PRIMARY KEY,
     prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
     version INTEGER NOT NULL,
     content_hash TEXT NOT NULL,
     content_json TEXT NOT NULL,
     note TEXT,
     author TEXT,
     created_at TEXT NOT NULL,
     UNIQUE (prompt_id, version)
   );
   CREATE TABLE prompt_labels (
     prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
     label TEXT NOT NULL,
     target_json TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (prompt_id, label)
   );
   CREATE TABLE prompt_label_moves (
     id INTEGER PRIMARY KEY,
     prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
     label TEXT NOT NULL,
     from_json TEXT,
     to_json TEXT,
     created_at TEXT NOT NULL
   );
   CREATE TABLE feedback (
     request_id TEXT PRIMARY KEY,
     rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
     created_at TEXT NOT NULL
   );
   CREATE TABLE compare_runs (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,
     name TEXT,
     status TEXT NOT NULL,
     spec_json TEXT NOT NULL,
     rows_json TEXT NOT NULL,
     columns_json TEXT NOT NULL,
     parent_run_id INTEGER,
     created_at TEXT NOT NULL,
     finished_at TEXT
   );
   CREATE TABLE compare_cells (
     run_id INTEGER NOT NULL REFERENCES compare_runs(id) ON DELETE CASCADE,
     row_idx INTEGER NOT NULL,
     col_idx INTEGER NOT NULL,
     prompt_version_id INTEGER,
     model TEXT NOT NULL,
     status TEXT NOT NULL,
     output TEXT,
     input_json TEXT,
     input_tokens INTEGER,
     output_tokens INTEGER,
     cost_usd REAL,
     latency_ms REAL,
     ttft_ms REAL,
     error_json TEXT,
     request_id TEXT,
     is_pass INTEGER,
     score REAL,
     assertions_json TEXT,
     PRIMARY KEY (run_id, row_idx, col_idx)
   );`,
  // Routing: the failed tries before a call was served, and whether another target served it (issue 6).
  `ALTER TABLE request_logs ADD COLUMN attempt_failures_json TEXT;
   ALTER TABLE request_logs ADD COLUMN is_fallback INTEGER NOT NULL DEFAULT 0;`,
  // Budgets: the model asked for when a spent budget downgraded the call to another (issue 10).
  `ALTER TABLE request_logs ADD COLUMN downgraded_from TEXT;`,
  // Data protection (issue 11): entities redacted, guardrail outcomes, and what a cache hit saved.
  `ALTER TABLE request_logs ADD COLUMN redactions_json TEXT;
   ALTER TABLE request_logs ADD COLUMN guardrails_json TEXT;
   ALTER TABLE request_logs ADD COLUMN guardrail_action TEXT;
   ALTER TABLE request_logs ADD COLUMN cache_saved_usd REAL;`,
  // Alerts (issue 10): budget thresholds, cost and traffic anomalies. `dedupe_key` makes each fire once.
  `CREATE TABLE alerts (
     id INTEGER PRIMARY KEY,
     created_at TEXT NOT NULL,
     kind TEXT NOT NULL,
     level TEXT NOT NULL,
     key_name TEXT,
     message TEXT NOT NULL,
     details_json TEXT,
     dedupe_key TEXT NOT NULL UNIQUE,
     acknowledged_at TEXT
   );
   CREATE INDEX alerts_open ON alerts (acknowledged_at, id);`,
  // Audit trail (issue 10): every admin change with its time, actor and a before/after diff, secrets masked.
  `CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY,
     created_at TEXT NOT NULL,
     actor TEXT NOT NULL,
     remote_address TEXT,
     user_agent TEXT,
     action TEXT NOT NULL,
     target TEXT,
     request_id TEXT,
     diff_json TEXT NOT NULL
   );
   CREATE INDEX audit_log_created_at ON audit_log (created_at);
   CREATE INDEX audit_log_action ON audit_log (action, id);`,
  // Response cache (issue 11). response_json stays the last column so that reading the index at start
  // never walks a payload's overflow pages; embedding_model says which model the vector came from.
  `CREATE TABLE cache_entries (
     key TEXT PRIMARY KEY,
     namespace TEXT NOT NULL,
     model TEXT NOT NULL,
     provider TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     last_hit_at TEXT NOT NULL,
     hits INTEGER NOT NULL DEFAULT 0,
     bytes INTEGER NOT NULL,
     cost_usd REAL,
     embedding_model TEXT,
     embedding BLOB,
     response_json TEXT NOT NULL
   );
   CREATE INDEX cache_entries_namespace ON cache_entries (namespace);`,
  // Every log row paid for seven index inserts. Key and prompt are empty on most rows, and the status filter
  // that needs an index is "errors"; partial indexes skip the rest (log-filter.ts keeps queries matching).
  `DROP INDEX request_logs_key_name;
   CREATE INDEX request_logs_key_name ON request_logs(key_name, created_at) WHERE key_name IS NOT NULL;
   DROP INDEX request_logs_prompt;
   CREATE INDEX request_logs_prompt ON request_logs(prompt_name, created_at) WHERE prompt_name IS NOT NULL;
   DROP INDEX request_logs_status;
   CREATE INDEX request_logs_errors ON request_logs(status, created_at) WHERE status >= 400;`,
  // Search (issue 23): a full-text index of what the Logs page's search looks in: request id, route, models,
  // error, and the string values of plain bodies (the prompt and the answer; base64 payloads, signatures and
  // data URLs left out, at most 32 KB per body). Contentless, so the text is not stored twice. The log writer adds
  // each row (search-index.ts); a trigger drops it with its row (retention). Sealed (encrypted) bodies are never
  // indexed: with logs.encryptBodies, search covers the metadata only. The INSERT indexes the rows already there,
  // through a view that extracts what search-index.ts's bodyText does.
  // The provider, key and error filters get indexes in id order, the order the list pages in, so a filtered page
  // stops after its rows instead of sorting every match (the key's (key_name, created_at) index stays: budgets
  // read spend by key and time).
  `CREATE VIRTUAL TABLE request_logs_fts USING fts5(meta, body, content='', contentless_delete=1,
     tokenize='unicode61 remove_diacritics 2');
   CREATE VIEW request_log_body_text AS SELECT log_id, concat_ws(' ',
       CASE WHEN request_json IS NULL OR substr(request_json, 1, 7) = 'enc:v1:' THEN NULL
       WHEN json_valid(request_json) THEN (SELECT substr(group_concat(substr(value, 1, 2000), ' '), 1, 32768)
         FROM json_tree(request_json) WHERE type = 'text'
           AND coalesce(key, '') NOT IN ('data', 'signature', 'encrypted_content') AND substr(value, 1, 5) <> 'data:')
       ELSE substr(request_json, 1, 32768) END,
       CASE WHEN response_json IS NULL OR substr(response_json, 1, 7) = 'enc:v1:' THEN NULL
       WHEN json_valid(response_json) THEN (SELECT substr(group_concat(substr(value, 1, 2000), ' '), 1, 32768)
         FROM json_tree(response_json) WHERE type = 'text'
           AND coalesce(key, '') NOT IN ('data', 'signature', 'encrypted_content') AND substr(value, 1, 5) <> 'data:')
       ELSE substr(response_json, 1, 32768) END) AS body
     FROM request_log_bodies;
   CREATE TRIGGER request_logs_fts_delete AFTER DELETE ON request_logs BEGIN
     DELETE FROM request_logs_fts WHERE rowid = old.id;
   END;
   INSERT INTO request_logs_fts(rowid, meta, body)
   SELECT r.id, concat_ws(' ', r.request_id, r.route, r.requested_model, r.model, r.error), t.body FROM request_logs r LEFT JOIN request_log_body_text t ON t.log_id = r.id;
   DROP VIEW request_log_body_text;
   DROP INDEX request_logs_provider;
   CREATE INDEX request_logs_provider ON request_logs(provider);
   CREATE INDEX request_logs_key ON request_logs(key_name) WHERE key_name IS NOT NULL;
   DROP INDEX request_logs_errors;
   CREATE INDEX request_logs_errors ON request_logs(id, status) WHERE status >= 400;`,
  // Rollups (issue 23): per-minute and per-hour cells that stats read instead of rows (see rollups.ts; `start` is
  // the bucket's start in epoch seconds, '' a dimension's "none"). The watermark starts at 0: the rows already
  // there are rolled up in steps by the gateway's next start (rollUpNewRows), which needs JS for the sketches.
  `CREATE TABLE log_rollup_minutes (
     start INTEGER NOT NULL,
     dim TEXT NOT NULL,
     value TEXT NOT NULL,
     requests INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     cache_hits INTEGER NOT NULL,
     cache_saved_usd REAL NOT NULL,
     guardrail_blocked INTEGER NOT NULL,
     guardrail_flagged INTEGER NOT NULL,
     redacted_calls INTEGER NOT NULL,
     latency_sketch BLOB,
     ttft_sketch BLOB,
     PRIMARY KEY (start, dim, value)
   ) WITHOUT ROWID;
   CREATE TABLE log_rollup_hours (
     start INTEGER NOT NULL,
     dim TEXT NOT NULL,
     value TEXT NOT NULL,
     requests INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     cache_hits INTEGER NOT NULL,
     cache_saved_usd REAL NOT NULL,
     guardrail_blocked INTEGER NOT NULL,
     guardrail_flagged INTEGER NOT NULL,
     redacted_calls INTEGER NOT NULL,
     latency_sketch BLOB,
     ttft_sketch BLOB,
     PRIMARY KEY (dim, start, value)
   ) WITHOUT ROWID;
   CREATE TABLE log_rollup_guardrails (
     start INTEGER NOT NULL,
     check_name TEXT NOT NULL,
     stage TEXT NOT NULL,
     action TEXT NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (start, check_name, stage, action)
   ) WITHOUT ROWID;
   CREATE TABLE log_rollup_redactions (
     start INTEGER NOT NULL,
     type TEXT NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (start, type)
   ) WITHOUT ROWID;
   CREATE TABLE log_rollup_state (id INTEGER PRIMARY KEY CHECK (id = 1), rolled_id INTEGER NOT NULL);
   INSERT INTO log_rollup_state VALUES (1, 0);`,
  // Search index upkeep (issue 23): by default FTS5 rewrites a whole segment once a tenth of its rows are deleted,
  // inside the DELETE that crossed the line; over a big log that held one retention chunk for up to a second.
  // Deleted rows are then dropped when ordinary merges rewrite their segment.
  `INSERT INTO request_logs_fts(request_logs_fts, rank) VALUES ('deletemerge', 0);`,
  // Rollups (issue 23): day cells, into which hour cells past their keep are folded (rollups.ts), so the history
  // that outlives the rows costs ~30 cells a day instead of ~30 an hour. Same shape as the hour cells.
  `CREATE TABLE log_rollup_days (
     start INTEGER NOT NULL,
     dim TEXT NOT NULL,
     value TEXT NOT NULL,
     requests INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     cache_hits INTEGER NOT NULL,
     cache_saved_usd REAL NOT NULL,
     guardrail_blocked INTEGER NOT NULL,
     guardrail_flagged INTEGER NOT NULL,
     redacted_calls INTEGER NOT NULL,
     latency_sketch BLOB,
     ttft_sketch BLOB,
     PRIMARY KEY (dim, start, value)
   ) WITHOUT ROWID;`,
  // Rollups (issue 23): day cells are kept up to date for every day, not only for days past the hour cells' keep,
  // so a 30-day report reads ~30 day cells instead of ~720 hour cells. `days_live` stays 0 until rollups.ts has
  // added the hour cells that existed before this migration to their day cells once (it needs JS for sketches).
  `ALTER TABLE log_rollup_state ADD COLUMN days_live INTEGER NOT NULL DEFAULT 0;`,
  // Calls the gateway made itself (issue 18): a comparison's cells and a replay's calls say so on their row,
  // since they have no client key.
  `ALTER TABLE request_logs ADD COLUMN caller TEXT;`,
  // Coding agents (issue 19): calls grouped into sessions and projects, and the tool calls the gateway repaired.
  `ALTER TABLE request_logs ADD COLUMN session_id TEXT;
   ALTER TABLE request_logs ADD COLUMN project TEXT;
   ALTER TABLE request_logs ADD COLUMN tool_call_repairs INTEGER;
   ALTER TABLE request_logs ADD COLUMN client_tool TEXT;
   CREATE INDEX request_logs_session ON request_logs(session_id, id) WHERE session_id IS NOT NULL;`,
  // MCP hub (issue 20): tool calls are log rows with inbound_api 'mcp'. Partial indexes, so model calls pay nothing:
  // the Logs page's "Tool calls" filter pages them in id order, the Overview's tool-call card reads a range by time
  // from the index alone (30 days of 10 000 tool calls in a 1M-row log: 32 ms, 102 ms with lookups into the rows).
  `CREATE INDEX request_logs_mcp ON request_logs(id) WHERE inbound_api = 'mcp';
   CREATE INDEX request_logs_mcp_time ON request_logs(created_at, provider, model, status, error) WHERE inbound_api = 'mcp';`,
  // Team mode (issue 21): accounts, their sessions, CI's service accounts and the first owner's setup link. Session
  // ids and tokens are kept as SHA-256 digests, passwords as Argon2id hashes: a copy of this file signs nobody in.
  // The audit trail names the person or service account that acted (`actor` is `person:<id>`, `service:<id>`).
  `CREATE TABLE team_accounts (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL COLLATE NOCASE UNIQUE,
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     workspaces TEXT NOT NULL,
     source TEXT NOT NULL,
     password_hash TEXT,
     sso_issuer TEXT,
     sso_subject TEXT,
     totp_secret TEXT,
     totp_pending TEXT,
     totp_last_counter INTEGER,
     disabled INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX team_accounts_sso ON team_accounts(sso_issuer, sso_subject) WHERE sso_issuer IS NOT NULL;
   CREATE TABLE team_sessions (
     digest TEXT PRIMARY KEY,
     account_id TEXT NOT NULL REFERENCES team_accounts(id) ON DELETE CASCADE,
     via TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX team_sessions_account ON team_sessions(account_id);
   CREATE TABLE team_service_accounts (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     workspaces TEXT NOT NULL,
     token_digest TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     last_used_at INTEGER
   );
   CREATE TABLE team_setup_tokens (digest TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
   ALTER TABLE audit_log ADD COLUMN actor_name TEXT;`,
  // Teams (issue 21): each call's workspace (its key's) and person (x-switchyard-user, the caller's `user`, Claude
  // Code's account, or the signed-in member for UI calls). Partial indexes: a solo gateway's rows are all NULL and
  // pay nothing; the Logs page's workspace and person filters page them in id order. Overview reads rollup cells.
  `ALTER TABLE request_logs ADD COLUMN workspace TEXT;
   ALTER TABLE request_logs ADD COLUMN person TEXT;
   CREATE INDEX request_logs_workspace ON request_logs(workspace, id) WHERE workspace IS NOT NULL;
   CREATE INDEX request_logs_person ON request_logs(person, id) WHERE person IS NOT NULL;`,
  // Teams (issue 21): access requests from the model portal; the decision extends the key's `models` in the config.
  `CREATE TABLE access_requests (
     id TEXT PRIMARY KEY,
     model TEXT NOT NULL,
     key_name TEXT NOT NULL,
     workspace TEXT NOT NULL,
     reason TEXT NOT NULL,
     status TEXT NOT NULL,
     requester TEXT NOT NULL,
     requester_name TEXT NOT NULL,
     decided_by TEXT,
     decided_by_name TEXT,
     created_at INTEGER NOT NULL,
     decided_at INTEGER
   );
   CREATE INDEX access_requests_requester ON access_requests(requester, status);`,
  // Teams (issue 21): whose alerts and audit entries a member sees. An alert's workspace is its key's (or the
  // workspace whose budget it is about); NULL is a gateway-wide alert, for admins only. An audit entry's workspaces
  // is a JSON array: the workspace of the key, prompt, run or request it is about, or for a provider or route the
  // workspaces it is shared with ('*': every one); NULL (members, settings, backups) is for admins only.
  `ALTER TABLE alerts ADD COLUMN workspace TEXT;
   CREATE INDEX alerts_workspace ON alerts(workspace, id) WHERE workspace IS NOT NULL;
   ALTER TABLE audit_log ADD COLUMN workspaces TEXT;`,
  // Teams (issue 21): prompts and comparison runs belong to a workspace; members see only their workspaces' ones.
  // Rows from before team mode are `default`'s. Lists filter on the workspace and page by id or recency.
  `ALTER TABLE prompts ADD COLUMN workspace TEXT NOT NULL DEFAULT 'default';
   ALTER TABLE compare_runs ADD COLUMN workspace TEXT NOT NULL DEFAULT 'default';
   CREATE INDEX prompts_workspace ON prompts(workspace, updated_at);
   CREATE INDEX compare_runs_workspace ON compare_runs(workspace, id);`,
  // Teams (issue 23 at team scale): rollup cells per workspace (rollups.ts WORKSPACE_DIMS), so a member's
  // reports read cells as an admin's do instead of their rows. workspace_rolled_id is how far rows have those
  // cells: 0 here, so the next roll-up gives the rows already rolled theirs (once, in chunks). A partial index
  // holds the few rows with guardrail hits or redactions, which a member's report reads throughout its range
  // (those counts are not kept per workspace), and an admin's at the edges: covering, it reads no row (150 ms
  // less for a member's month at 1M rows).
  `ALTER TABLE log_rollup_state ADD COLUMN workspace_rolled_id INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX request_logs_hits ON request_logs(created_at, workspace, guardrails_json, redactions_json)
     WHERE guardrails_json IS NOT NULL OR redactions_json IS NOT NULL;`,
]
