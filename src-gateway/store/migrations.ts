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
]
