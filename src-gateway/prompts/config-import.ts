import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import type { Db } from '../store/db.js'
import { contentHash, PROMPT_NAME_PATTERN, PromptContentFields, parsePromptContent } from './content.js'
import { latestVersionBy, saveVersion } from './prompt-store.js'

/** Versions imported from the config file carry this author, so a restart compares against them. */
export const CONFIG_AUTHOR = 'config'

const PromptsSectionSchema = Type.Record(
  Type.String({ pattern: PROMPT_NAME_PATTERN }),
  Type.Object({ ...PromptContentFields, note: Type.Optional(Type.String()) }),
)
const checkSection = Compile(PromptsSectionSchema)

/**
 * Imports the config's `prompts:` section. A prompt whose content differs from what config last
 * imported becomes a new version; unchanged ones are left alone, so versions saved in the app since
 * stay the latest.
 */
export function importConfigPrompts(db: Db, section: unknown): { created: string[] } {
  if (section === undefined || section === null) return { created: [] }
  if (!checkSection.Check(section)) {
    const e = [...checkSection.Errors(section)][0]
    throw new Error(`config is invalid: /prompts${e?.instancePath ?? ''}: ${e?.message ?? 'invalid'}`)
  }
  const created: string[] = []
  for (const [name, entry] of Object.entries(section as Record<string, { note?: string }>)) {
    const { note, ...rest } = entry
    const content = parsePromptContent(rest, `prompts.${name}`)
    if (latestVersionBy(db, name, CONFIG_AUTHOR)?.contentHash === contentHash(content)) continue
    const saved = saveVersion(db, name, content, { note: note ?? 'imported from config', author: CONFIG_AUTHOR })
    if (saved.created) created.push(name)
  }
  return { created }
}
