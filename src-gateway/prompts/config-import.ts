import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { DEFAULT_WORKSPACE, WorkspaceIdSchema } from '../../src-shared/contract/workspaces.js'
import { schemaProblems } from '../config/schema-problems.js'
import type { ConfigProblem } from '../config/validate.js'
import { contentHash, PROMPT_NAME_PATTERN, PromptContentFields, parsePromptContent } from './content.js'
import { type ImportEntry, importKind, type PromptImport, type PromptStore } from './prompt-store.js'
import type { PromptContent } from './types.js'

export type { PromptImport }

/** Versions imported from the config file carry this author, so a restart compares against them. */
export const CONFIG_AUTHOR = 'config'
/** Versions an explicit import (admin API or `switchyard import`) created. */
const IMPORT_AUTHOR = 'import'

const PromptEntrySchema = Type.Object({
  ...PromptContentFields,
  note: Type.Optional(Type.String()),
  /** The workspace the prompt belongs to; absent: `default`. */
  workspace: Type.Optional(WorkspaceIdSchema),
})
const PromptsSectionSchema = Type.Record(Type.String({ pattern: PROMPT_NAME_PATTERN }), PromptEntrySchema)
const checkSection = Compile(PromptsSectionSchema)
const sectionProblems = schemaProblems(PromptsSectionSchema)

/** One prompt as the config file's `prompts:` section writes it: a version's content, a note, its workspace. */
export type PromptEntry = PromptContent & { note?: string; workspace?: string }
export type PromptsSection = Record<string, PromptEntry>

/**
 * Everything wrong with a `prompts:` section, located under `/prompts`, including a prompt of a workspace the
 * config (`workspaces`: the ids it has) does not have; none for an absent one.
 */
export function promptsSectionProblems(section: unknown, workspaces: ReadonlySet<string>): ConfigProblem[] {
  if (section === undefined || section === null) return []
  const problems = sectionProblems(section, '/prompts')
  if (problems.length > 0) return problems
  const known = [...workspaces].join(', ')
  return Object.entries(section as PromptsSection).flatMap(([name, { workspace }]) =>
    workspace === undefined || workspaces.has(workspace)
      ? []
      : [
          {
            path: `/prompts/${name}/workspace`,
            message: `no workspace '${workspace}' is configured (workspaces: ${known})`,
          },
        ],
  )
}

const entries = (section: unknown): ImportEntry[] =>
  Object.entries((section ?? {}) as Record<string, PromptEntry>).map(([name, { note, workspace, ...rest }]) => ({
    name,
    note,
    workspace: workspace ?? DEFAULT_WORKSPACE,
    content: parsePromptContent(rest, `prompts.${name}`),
  }))

/** Throws the first problem of the config's `prompts:` section (`workspaces`: the ids the config has). */
export function checkConfigPrompts(section: unknown, workspaces: ReadonlySet<string>): void {
  if (section === undefined || section === null) return
  if (!checkSection.Check(section)) {
    const e = [...checkSection.Errors(section)][0]
    throw new Error(`config is invalid: /prompts${e?.instancePath ?? ''}: ${e?.message ?? 'invalid'}`)
  }
  const wrong = promptsSectionProblems(section, workspaces)[0]
  if (wrong) throw new Error(`config is invalid: ${wrong.path}: ${wrong.message}`)
}

/**
 * Imports the config's `prompts:` section, checked by checkConfigPrompts, at start. A prompt whose content differs
 * from what config last imported becomes a new version; unchanged ones are left alone, so versions saved in the app
 * since stay the latest. A new prompt is created in its entry's workspace.
 */
export async function importConfigPrompts(store: PromptStore, section: unknown): Promise<{ created: string[] }> {
  const created: string[] = []
  for (const { name, note, content, workspace } of entries(section)) {
    if ((await store.latestVersionBy(name, CONFIG_AUTHOR))?.contentHash === contentHash(content)) continue
    const saved = await store.saveVersion(name, content, {
      note: note ?? 'imported from config',
      author: CONFIG_AUTHOR,
      workspace,
    })
    if (saved.created) created.push(name)
  }
  return { created }
}

/**
 * What importing a checked `prompts:` section would do. An explicit import compares with each prompt's
 * latest version, whoever wrote it: the user asked for the file's content to be current.
 */
export async function planPromptImport(store: PromptStore, section: unknown): Promise<PromptImport> {
  const plan: PromptImport = { created: [], updated: [], unchanged: [] }
  for (const { name, content } of entries(section))
    plan[importKind(await store.latestVersion(name), content)].push(name)
  return plan
}

/** Imports a checked `prompts:` section in one transaction: a new version for each prompt that is new or changed. */
export function importPrompts(store: PromptStore, section: unknown): Promise<PromptImport> {
  return store.importEntries(entries(section), IMPORT_AUTHOR)
}

/**
 * The latest version of every prompt in the library, as a `prompts:` section (labels are not part of it); a prompt
 * outside `default` names its workspace.
 */
export async function exportPrompts(store: PromptStore): Promise<PromptsSection> {
  const section: PromptsSection = {}
  for (const { name, workspace } of await store.names()) {
    const latest = await store.latestVersion(name)
    if (!latest) continue
    const { messages, model, params, responseSchema } = latest.content
    section[name] = {
      ...(model !== undefined && { model }),
      messages,
      ...(params !== undefined && { params }),
      ...(responseSchema !== undefined && { responseSchema }),
      ...(latest.note !== null && { note: latest.note }),
      ...(workspace !== DEFAULT_WORKSPACE && { workspace }),
    }
  }
  return section
}
