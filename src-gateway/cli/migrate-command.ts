import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { holdDataDirLock } from '../backup/data-dir-lock.js'
import { loadConfigFile } from '../config/load.js'
import type { Command } from './args.js'
import { fileTarget } from './data-dir.js'
import { fail, userErrors } from './output.js'

const SQLITE = 'sqlite:'

/** `--from sqlite:PATH`: the data folder (or its switchyard.db). */
function sourceDir(from: string | undefined): string {
  if (!from?.startsWith(SQLITE) || from.length === SQLITE.length) {
    fail(`--from must be sqlite:PATH (a data folder), got ${from === undefined ? 'nothing' : JSON.stringify(from)}`)
  }
  const path = from.slice(SQLITE.length)
  const dir = path.endsWith('switchyard.db') ? join(path, '..') : path
  // A mistyped path would otherwise become a new, empty data folder, and the bundled default config be copied.
  if (!existsSync(join(dir, 'switchyard.db'))) fail(`no Switchyard data folder at ${dir} (it has no switchyard.db)`)
  return dir
}

export const migrateCommand: Command = {
  spec: {
    name: 'migrate',
    summary: "copies a data folder's config, keys, log and stores into Postgres (for several instances)",
    synopsis: '--from sqlite:PATH --to postgres://… [--config FILE] [--force]',
    description:
      "Copies an install's data folder into the Postgres several gateways share (config `database`): the\n" +
      'config with its stored credentials (sealed under SWITCHYARD_SECRET_KEY, which must be set as on the\n' +
      'gateways), the request log with its bodies (rollups and search rebuilt), and every other store the\n' +
      "target's schema has: prompts, feedback, comparison runs, audit, alerts, team accounts, access requests.\n" +
      'A table the schema lacks is listed as skipped. The data folder must not be in use by a gateway.\n' +
      'A target that already holds any of it is refused unless --force, which empties those tables first\n' +
      '(a re-run replaces what the last one copied).',
    options: {
      from: {
        type: 'string',
        value: 'sqlite:PATH',
        help: 'the data folder to copy (sqlite:DIR or sqlite:DIR/switchyard.db)',
      },
      to: { type: 'string', value: 'URL', help: 'postgres://user:password@host:5432/dbname' },
      config: { type: 'string', value: 'FILE', help: "the config to copy (default: the data folder's config.yaml)" },
      force: { type: 'boolean', help: "empties the target's copied tables first instead of refusing a non-empty one" },
    },
    positionals: [],
  },
  async run({ values }) {
    const dataDir = sourceDir(values.from as string | undefined)
    const to = values.to as string | undefined
    if (!to || !/^postgres(ql)?:\/\//.test(to)) fail('--to must be a postgres:// or postgresql:// URL')
    const passphrase = process.env.SWITCHYARD_SECRET_KEY
    if (!passphrase) {
      fail(
        'SWITCHYARD_SECRET_KEY is not set: the config is stored sealed under it; set it to the value the gateways will have',
      )
    }
    const { configPath } = fileTarget({ 'data-dir': dataDir, config: values.config })
    const config = userErrors(() => loadConfigFile(configPath))
    process.on(
      'exit',
      userErrors(() => holdDataDirLock(dataDir)),
    )
    const { openDatabase, closeDatabase } = await import('../store/db.js')
    const { openPgPool } = await import('../store/pg/pool.js')
    const { migrateToPostgres, MigrateRefusal } = await import('./migrate.js')
    const db = openDatabase(dataDir)
    const pool = await openPgPool(to)
    try {
      if (!pool.available()) fail('Postgres at --to does not answer')
      const report = await userErrors(() =>
        migrateToPostgres({
          db,
          dataDir,
          config,
          pool,
          passphrase,
          force: values.force === true,
          env: process.env,
          progress: (line) => process.stdout.write(`${line}\n`),
        }),
      )
      for (const t of report.tables) if ('skipped' in t) process.stdout.write(`${t.table}: skipped: ${t.skipped}\n`)
      const failed = report.tables.filter((t) => 'failed' in t).length + ('failed' in report.config ? 1 : 0)
      if (failed > 0) fail(`${failed} part${failed === 1 ? '' : 's'} could not be copied (see above)`)
      process.stdout.write(`Done: point the gateways' \`database\` at this Postgres.\n`)
    } catch (err) {
      if (err instanceof MigrateRefusal) fail(err.message)
      throw err
    } finally {
      await pool.close()
      closeDatabase(db)
    }
  },
}
