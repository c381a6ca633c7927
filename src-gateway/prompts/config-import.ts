import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { DEFAULT_WORKSPACE, WorkspaceIdSchema } from '../../src-shared/contract/workspaces.js'
import { schemaProblems } from '../config/schema-problems.js'
import type { ConfigProblem } from '../config/validate.js'
import type { Db } from '../store/db.js'
import { contentHash, PROMPT_NAME_PATTERN, PromptContentFields, parsePromptContent } from './content.js'
import { latestVersion, latestVersionBy, promptWorkspace, saveVersion } from './prompt-store.js'
import type { PromptContent } from './types.js'

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

/** What importing a `prompts:` section does, by prompt name. */
export interface PromptImport {
  created: string[]
  /** Prompts whose latest version differs: each gets a new version. */
  updated: string[]
  unchanged: string[]
}

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

const entries = (section: unknown) =>
  Object.entries((section ?? {}) as Record<string, PromptEntry>).map(([name, { note, workspace, ...rest }]) => ({
    name,
    note,
    workspace: workspace ?? DEFAULT_WORKSPACE,
    content: parsePromptContent(rest, `prompts.${name}`),
  }))

/** Puts a prompt in the workspace the file gives it (a prompt created elsewhere may be in another). */
function moveTo(db: Db, name: string, workspace: string): void {
  if (promptWorkspace(db, name) !== workspace)
    db.prepare('UPDATE prompts SET workspace = ? WHERE name = ?').run(workspace, name)
}

/**
 * Imports the config's `prompts:` section at start (`workspaces`: the ids the config has). A prompt whose content
 * differs from what config last imported becomes a new version; unchanged ones are left alone, so versions saved in
 * the app since stay the latest. A new prompt is created in its entry's workspace.
 */
export function importConfigPrompts(db: Db, section: unknown, workspaces: ReadonlySet<string>): { created: string[] } {
  if (section === undefined || section === null) return { created: [] }
  if (!checkSection.Check(section)) {
    const e = [...checkSection.Errors(section)][0]
    throw new Error(`config is invalid: /prompts${e?.instancePath ?? ''}: ${e?.message ?? 'invalid'}`)
  }
  const wrong = promptsSectionProblems(section, workspaces)[0]
  if (wrong) throw new Error(`config is invalid: ${wrong.path}: ${wrong.message}`)
  const created: string[] = []
  for (const { name, note, content, workspace } of entries(section)) {
    if (latestVersionBy(db, name, CONFIG_AUTHOR)?.contentHash === contentHash(content)) continue
    const saved = saveVersion(db, name, content, {
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
export function planPromptImport(db: Db, section: unknown): PromptImport {
  const plan: PromptImport = { created: [], updated: [], unchanged: [] }
  for (const { name, content } of entries(section)) {
    const latest = latestVersion(db, name)
    if (!latest) plan.created.push(name)
    else if (latest.contentHash === contentHash(content)) plan.unchanged.push(name)
    else plan.updated.push(name)
  }
  return plan
}

/** Imports a checked `prompts:` section: a new version for each prompt that is new or changed. */
export function importPrompts(db: Db, section: unknown): PromptImport {
  return db.transaction(() => {
    const plan = planPromptImport(db, section)
    for (const { name, note, content, workspace } of entries(section)) {
      saveVersion(db, name, content, { note: note ?? 'imported', author: IMPORT_AUTHOR, workspace })
      moveTo(db, name, workspace)
    }
    return plan
  })()
}

/**
 * The latest version of every prompt in the library, as a `prompts:` section (labels are not part of it); a prompt
 * outside `default` names its workspace.
 */
export function exportPrompts(db: Db): PromptsSection {
  const names = db.prepare('SELECT name, workspace FROM prompts ORDER BY name').all() as {
    name: string
    workspace: string
  }[]
  const section: PromptsSection = {}
  for (const { name, workspace } of names) {
    const latest = latestVersion(db, name)
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
