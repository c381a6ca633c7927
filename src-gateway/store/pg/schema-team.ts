/**
 * Team mode and the model portal in Postgres (config `database`): SQLite's tables and columns (store/migrations.ts,
 * "Team mode" and "access requests"), so one row mapper serves both and `switchyard migrate` copies them by column
 * name. SQLite's `email COLLATE NOCASE UNIQUE` is a unique index on lower(email): two instances adding one address
 * at once get one account and one EmailTakenError. Setup tokens are deleted by the instance that redeems them
 * (DELETE … RETURNING), so a link works once across instances. (Typed by migrations.ts's PgMigration where it is
 * listed: importing the type here would make the two files a cycle.)
 */
export const TEAM_MIGRATION = {
  version: 4,
  name: 'team accounts, sessions, service accounts, setup tokens, access requests',
  sql: `
CREATE TABLE team_accounts (
  id text PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL,
  workspaces text NOT NULL,
  source text NOT NULL,
  password_hash text,
  sso_issuer text,
  sso_subject text,
  totp_secret text,
  totp_pending text,
  totp_last_counter bigint,
  disabled smallint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX team_accounts_email ON team_accounts (lower(email));
CREATE UNIQUE INDEX team_accounts_sso ON team_accounts (sso_issuer, sso_subject) WHERE sso_issuer IS NOT NULL;
CREATE TABLE team_sessions (
  digest text PRIMARY KEY,
  account_id text NOT NULL REFERENCES team_accounts(id) ON DELETE CASCADE,
  via text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  last_seen_at bigint NOT NULL
);
CREATE INDEX team_sessions_account ON team_sessions (account_id);
CREATE TABLE team_service_accounts (
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL,
  workspaces text NOT NULL,
  token_digest text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  last_used_at bigint
);
CREATE TABLE team_setup_tokens (digest text PRIMARY KEY, expires_at bigint NOT NULL);
CREATE TABLE access_requests (
  id text PRIMARY KEY,
  model text NOT NULL,
  key_name text NOT NULL,
  workspace text NOT NULL,
  reason text NOT NULL,
  status text NOT NULL,
  requester text NOT NULL,
  requester_name text NOT NULL,
  decided_by text,
  decided_by_name text,
  created_at bigint NOT NULL,
  decided_at bigint
);
CREATE INDEX access_requests_requester ON access_requests (requester, status);
`,
}
