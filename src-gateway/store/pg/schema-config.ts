/**
 * The config the instances share (config/shared-config.ts) when `database` is set: one row holding the newest
 * sealed document and its version, versions from a sequence so two instances changing it at once get distinct
 * ones. `seed` (0/1) marks a first instance's file config, which a change made meanwhile replaces.
 */
export const CONFIG_MIGRATION = {
  version: 5,
  name: 'shared config',
  sql: `
CREATE SEQUENCE switchyard_config_version AS bigint;
CREATE TABLE switchyard_config (
  id smallint PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL,
  seed smallint NOT NULL,
  document text NOT NULL,
  updated_at bigint NOT NULL
);
`,
}
