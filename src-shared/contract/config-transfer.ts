import { type Static, Type } from 'typebox'

/** GET /admin/v1/config/export: YAML or JSON, secrets as references or left out, optionally the prompt library. */
export const ConfigExportQuerySchema = Type.Object({
  format: Type.Union([Type.Literal('yaml'), Type.Literal('json')], { default: 'yaml' }),
  secrets: Type.Union([Type.Literal('refs'), Type.Literal('omit')], { default: 'refs' }),
  include: Type.Optional(Type.Literal('prompts')),
})
export type ConfigExportQuery = Static<typeof ConfigExportQuerySchema>
