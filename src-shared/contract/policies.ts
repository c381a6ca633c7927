import { type Static, Type } from 'typebox'

/** `:section` of /admin/v1/policies/:section; an unknown section is a 404 that lists the known ones. */
export const PolicyParamsSchema = Type.Object({ section: Type.String({ minLength: 1 }) })
export type PolicyParams = Static<typeof PolicyParamsSchema>
