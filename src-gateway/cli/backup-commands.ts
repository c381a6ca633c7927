import { join } from 'node:path'
import { backupsDir } from '../backup/backup-files.js'
import { backupOffline, restoreOffline } from '../backup/offline.js'
import type { Command } from './args.js'
import { FILE_OPTIONS, fileTarget } from './data-dir.js'
import { userErrors } from './output.js'

export const backupCommand: Command = {
  spec: {
    name: 'backup',
    summary: 'snapshots the config and the prompt library (versions, labels)',
    synopsis: '[--out FILE] [--data-dir DIR] [--config FILE]',
    description:
      'Writes a snapshot of the config and the prompt library to DATA_DIR/backups/, or to --out FILE.\n' +
      'Key values are never in it: only their references. A running gateway also backs up daily and\n' +
      'before each import by itself.',
    options: { out: { type: 'string', value: 'FILE', help: 'writes the backup to FILE' }, ...FILE_OPTIONS },
    positionals: [],
  },
  run({ values }) {
    const out = values.out as string | undefined
    const file = userErrors(() => backupOffline(fileTarget(values), out))
    process.stdout.write(`Backup written to ${file}\n`)
  },
}

export const restoreCommand: Command = {
  spec: {
    name: 'restore',
    summary: "puts a backup's config and prompts back",
    synopsis: 'FILE [--data-dir DIR] [--config FILE]',
    description:
      "Puts a backup's config and prompt library back, after saving a pre-restore snapshot. It refuses a\n" +
      'data dir a running gateway holds: stop the gateway first, or restore from Settings > Backups in\n' +
      'the web UI (POST /admin/v1/backups/ID/restore).',
    options: { ...FILE_OPTIONS },
    positionals: ['FILE'],
  },
  run({ values, positionals: [file] }) {
    const target = fileTarget(values)
    const done = userErrors(() => restoreOffline(target, file))
    process.stdout.write(
      `Restored ${file}: config written to ${done.configPath}, ${done.prompts} prompt${done.prompts === 1 ? '' : 's'}.\n` +
        (done.preRestore
          ? `The state before is saved as ${join(backupsDir(target.dataDir), `${done.preRestore.id}.json`)}\n`
          : 'The config before could not be read, so no pre-restore snapshot was taken.\n'),
    )
  },
}
