import { type Static, Type } from 'typebox'
import type { ConfigChange, ConfigProblem } from './common.js'

/** GET /admin/v1/config/export: YAML or JSON, secrets as references or left out, optionally the prompt library. */
export const ConfigExportQuerySchema = Type.Object({
  format: Type.Union([Type.Literal('yaml'), Type.Literal('json')], { default: 'yaml' }),
  secrets: Type.Union([Type.Literal('refs'), Type.Literal('omit')], { default: 'refs' }),
  include: Type.Optional(Type.Literal('prompts')),
})
export type ConfigExportQuery = Static<typeof ConfigExportQuerySchema>

/** POST /admin/v1/config/import: `apply=true` applies the file (after a backup), else the changes are previewed. */
export const ConfigImportQuerySchema = Type.Object({ apply: Type.Optional(Type.Boolean()) })
export type ConfigImportQuery = Static<typeof ConfigImportQuerySchema>

/** The JSON body the UI sends: the file's text wrapped, told apart from a JSON config by `text`. */
export const ConfigImportTextSchema = Type.Object(
  {
    text: Type.String({ maxLength: 5_000_000 }),
    format: Type.Optional(Type.Union([Type.Literal('yaml'), Type.Literal('json')])),
    apply: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type ConfigImportText = Static<typeof ConfigImportTextSchema>

/**
 * POST /admin/v1/config/import's body, as the exported file is sent: its text (YAML or JSON as text), the UI's
 * `{ text }` wrapper (ConfigImportTextSchema, checked as such when `text` is there), or a JSON config, which
 * the gateway checks as the config file it would become. Empty: refused with a word on what to send.
 */
export const ConfigImportBodySchema = Type.Union([Type.String(), Type.Object({}), Type.Null()])

/** Prompt names by what an import does to them: a new prompt, a new version of one, or nothing. */
export interface ConfigImportPrompts {
  created: string[]
  /** Prompts whose latest version differs: each gets a new version. */
  updated: string[]
  unchanged: string[]
}

/** POST /admin/v1/config/import's answer: the preview, or what applying did. */
export interface ConfigImportResult {
  valid: boolean
  /** `path` is a JSON pointer into the imported config, e.g. `/providers/x/type`. */
  errors: ConfigProblem[]
  changes: ConfigChange[]
  /** Keys of providers the file points elsewhere: not carried along, the admin gives them again. */
  droppedCredentials?: string[]
  /**
   * Client keys left out: their value does not resolve on this machine (a key made in another gateway's UI
   * keeps its value in that gateway's secret store).
   */
  droppedKeys?: { name: string; problem: string }[]
  /** What the file's `prompts:` section does (preview) or did (applied) to the prompt library; only when it has one. */
  prompts?: ConfigImportPrompts
  applied?: boolean
  /** After applying: references this machine cannot resolve yet. */
  missingEnv?: string[]
  missingSecrets?: string[]
}
