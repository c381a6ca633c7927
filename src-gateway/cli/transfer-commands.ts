import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { exportOffline, importOffline } from '../backup/offline.js'
import { formatOf } from '../config/config-file.js'
import type { ImportResult } from '../config/transfer.js'
import { type Command, UsageError } from './args.js'
import { FILE_OPTIONS, fileTarget } from './data-dir.js'
import { fail, userErrors } from './output.js'

// `switchyard export` and `switchyard import` work on the data dir's files, like `backup` and `restore`:
// no token or running gateway needed. Applying an import refuses a data dir a running gateway holds
// (its admin API, `POST /admin/v1/config/import`, does the same job live).

export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: 'writes the config (and on request the prompts) as one file to share',
    synopsis: '[--include prompts] [--format yaml|json] [--out FILE] [--data-dir DIR] [--config FILE]',
    description:
      'Writes the configuration as GET /admin/v1/config/export gives it: keys only as ${env:…}/${secret:…}\n' +
      'references, never their values. With --include prompts it adds a prompts: section with the latest\n' +
      'version of each prompt in the library. Safe while the gateway runs.',
    options: {
      include: { type: 'string', value: 'prompts', help: 'adds the prompt library (latest version of each prompt)' },
      format: {
        type: 'string',
        value: 'yaml|json',
        help: "the file's format (default: by --out's extension, else yaml)",
      },
      out: { type: 'string', value: 'FILE', help: 'writes to FILE instead of standard output' },
      ...FILE_OPTIONS,
    },
    positionals: [],
  },
  async run({ values }) {
    const { include, format, out } = values as { include?: string; format?: string; out?: string }
    if (include !== undefined && include !== 'prompts') {
      throw new UsageError(`--include takes 'prompts', not '${include}'`, exportCommand.spec)
    }
    if (format !== undefined && format !== 'yaml' && format !== 'json') {
      throw new UsageError(`--format takes yaml or json, not '${format}'`, exportCommand.spec)
    }
    const text = await userErrors(() =>
      exportOffline(fileTarget(values), {
        format: format ?? (out ? formatOf(out) : 'yaml'),
        prompts: include === 'prompts',
      }),
    )
    if (!out) return void process.stdout.write(text)
    userErrors(() => writeFileSync(resolve(out), text, { mode: 0o600 }))
    process.stderr.write(`Exported to ${resolve(out)}\n`)
  },
}

const SIGN = { add: '+', remove: '-', change: '~' } as const

/** The preview or result of an import, as lines for the terminal. */
function report(file: string, r: ImportResult): string {
  if (!r.valid) {
    return `${file} cannot be imported:\n${r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}\n`
  }
  const lines = [
    r.changes.length === 0 ? 'Config: no changes.' : 'Config changes:',
    ...r.changes.map((c) => `  ${SIGN[c.kind]} ${c.section === c.name ? c.section : `${c.section}.${c.name}`}`),
  ]
  if (r.prompts) {
    const { created, updated, unchanged } = r.prompts
    const names = (list: string[]) => (list.length > 0 ? ` (${list.join(', ')})` : '')
    lines.push(
      `Prompts: ${created.length} new${names(created)}, ${updated.length} changed${names(updated)} (a new version each), ${unchanged.length} unchanged.`,
    )
  }
  if (r.droppedCredentials?.length) {
    lines.push(`Keys not carried over (their provider moves to another address): ${r.droppedCredentials.join(', ')}`)
  }
  if (r.droppedKeys?.length) {
    const keys = r.droppedKeys.map((k) => `${k.name} (${k.problem})`).join(', ')
    lines.push(`Client keys not imported (their values are not on this machine; create new ones): ${keys}`)
  }
  const missing = [...(r.missingEnv ?? []), ...(r.missingSecrets ?? [])]
  if (missing.length > 0) lines.push(`Not set on this machine yet: ${missing.join(', ')}`)
  lines.push(r.applied ? 'Applied.' : 'Preview only: nothing was changed. Run again with --apply to apply it.')
  return `${lines.join('\n')}\n`
}

export const importCommand: Command = {
  spec: {
    name: 'import',
    summary: 'previews an exported file against the data dir, or applies it (--apply)',
    synopsis: 'FILE [--apply] [--data-dir DIR] [--config FILE]',
    description:
      'Lists what importing FILE (YAML or JSON, as export writes it) would change; --apply applies it,\n' +
      'after saving a pre-import backup. A prompts: section adds a version to each new or changed prompt.\n' +
      'Applying refuses a data dir a running gateway holds: stop it, or import through the web UI or\n' +
      'POST /admin/v1/config/import?apply=true.',
    options: {
      apply: { type: 'boolean', help: 'applies the file instead of previewing it' },
      ...FILE_OPTIONS,
    },
    positionals: ['FILE'],
  },
  async run({ values, positionals: [file] }) {
    const target = fileTarget(values)
    const result = await userErrors(() => importOffline(target, file, values.apply === true))
    process.stdout.write(report(file, result))
    if (!result.valid) fail(`nothing imported from ${file}`)
  },
}
