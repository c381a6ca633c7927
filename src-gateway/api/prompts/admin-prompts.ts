import type { FastifyInstance } from 'fastify'
import {
  type LabelTarget,
  LabelTargetSchema,
  type PromptDiffQuery,
  PromptDiffQuerySchema,
  type PromptLabelParams,
  PromptLabelParamsSchema,
  type PromptListQuery,
  PromptListQuerySchema,
  type PromptParams,
  PromptParamsSchema,
  type PromptRender,
  type PromptRenderBody,
  PromptRenderBodySchema,
  type PromptSaveBody,
  PromptSaveBodySchema,
  type PromptStatsQuery,
  PromptStatsQuerySchema,
  type PromptVersionParams,
  PromptVersionParamsSchema,
} from '../../../src-shared/contract/prompts.js'
import { parsePromptContent } from '../../prompts/content.js'
import { changedParts, diffLines, promptLines } from '../../prompts/diff.js'
import { armStats } from '../../prompts/feedback-store.js'
import {
  deleteLabel,
  deletePrompt,
  getPromptSummary,
  labelHistory,
  latestVersion,
  listPrompts,
  listVersions,
  promptNotFound,
  requireVersion,
  saveVersion,
  setLabel,
} from '../../prompts/prompt-store.js'
import { selectVersion } from '../../prompts/select-version.js'
import { findVariables, renderMessages } from '../../prompts/template.js'
import type { Db } from '../../store/db.js'

/** The prompt library under /admin/v1/prompts: versions, labels, diff, render preview and per-arm stats. */
export function registerAdminPrompts(app: FastifyInstance, db: Db): void {
  app.get<{ Querystring: PromptListQuery }>(
    '/admin/v1/prompts',
    { config: { permission: 'prompts:read' }, schema: { querystring: PromptListQuerySchema } },
    async (req) => {
      const { q, label, limit, cursor } = req.query
      return listPrompts(db, { q, label, limit, cursor: cursor === undefined ? undefined : Number(cursor) })
    },
  )

  app.get<{ Params: PromptParams }>(
    '/admin/v1/prompts/:name',
    { config: { permission: 'prompts:read' }, schema: { params: PromptParamsSchema } },
    async (req) => {
      const summary = getPromptSummary(db, req.params.name)
      if (!summary) throw promptNotFound(req.params.name)
      return { ...summary, latest: latestVersion(db, req.params.name) }
    },
  )

  app.delete<{ Params: PromptParams }>(
    '/admin/v1/prompts/:name',
    { config: { permission: 'prompts:write' }, schema: { params: PromptParamsSchema } },
    async (req, reply) => {
      deletePrompt(db, req.params.name)
      return reply.code(204).send()
    },
  )

  // Saving creates the prompt on its first version; identical content returns the latest with created=false.
  app.post<{ Params: PromptParams; Body: PromptSaveBody }>(
    '/admin/v1/prompts/:name/versions',
    { config: { permission: 'prompts:write' }, schema: { params: PromptParamsSchema, body: PromptSaveBodySchema } },
    async (req, reply) => {
      const { note, author, ...content } = req.body
      const saved = saveVersion(db, req.params.name, parsePromptContent(content, ''), { note, author })
      return reply.code(saved.created ? 201 : 200).send(saved)
    },
  )

  app.get<{ Params: PromptParams; Querystring: PromptListQuery }>(
    '/admin/v1/prompts/:name/versions',
    {
      config: { permission: 'prompts:read' },
      schema: { params: PromptParamsSchema, querystring: PromptListQuerySchema },
    },
    async (req) => {
      const { limit, cursor } = req.query
      return listVersions(db, req.params.name, { limit, cursor: cursor === undefined ? undefined : Number(cursor) })
    },
  )

  app.get<{ Params: PromptVersionParams }>(
    '/admin/v1/prompts/:name/versions/:version',
    { config: { permission: 'prompts:read' }, schema: { params: PromptVersionParamsSchema } },
    async (req) => requireVersion(db, req.params.name, req.params.version),
  )

  app.get<{ Params: PromptParams; Querystring: PromptDiffQuery }>(
    '/admin/v1/prompts/:name/diff',
    {
      config: { permission: 'prompts:read' },
      schema: { params: PromptParamsSchema, querystring: PromptDiffQuerySchema },
    },
    async (req) => {
      const a = requireVersion(db, req.params.name, req.query.from)
      const b = requireVersion(db, req.params.name, req.query.to)
      return {
        from: a.version,
        to: b.version,
        changed: changedParts(a.content, b.content),
        lines: diffLines(promptLines(a.content), promptLines(b.content)),
      }
    },
  )

  app.put<{ Params: PromptLabelParams; Body: LabelTarget }>(
    '/admin/v1/prompts/:name/labels/:label',
    { config: { permission: 'prompts:write' }, schema: { params: PromptLabelParamsSchema, body: LabelTargetSchema } },
    async (req) => setLabel(db, req.params.name, req.params.label, req.body),
  )

  app.delete<{ Params: PromptLabelParams }>(
    '/admin/v1/prompts/:name/labels/:label',
    { config: { permission: 'prompts:write' }, schema: { params: PromptLabelParamsSchema } },
    async (req, reply) => {
      deleteLabel(db, req.params.name, req.params.label)
      return reply.code(204).send()
    },
  )

  app.get<{ Params: PromptParams }>(
    '/admin/v1/prompts/:name/label-history',
    { config: { permission: 'prompts:read' }, schema: { params: PromptParamsSchema } },
    async (req) => {
      const items = labelHistory(db, req.params.name)
      return { items, total: items.length, nextCursor: null }
    },
  )

  // A preview of what a run would send, for the editor's variables panel and for Compare.
  app.post<{ Params: PromptParams; Body: PromptRenderBody }>(
    '/admin/v1/prompts/:name/render',
    { config: { permission: 'prompts:read' }, schema: { params: PromptParamsSchema, body: PromptRenderBodySchema } },
    async (req): Promise<PromptRender> => {
      const { version } = selectVersion(db, req.params.name, req.body, 'preview')
      const rendered = renderMessages(version.content.messages, req.body.variables ?? {})
      return {
        version: version.version,
        variables: findVariables(version.content.messages.map((m) => m.content)),
        ...rendered,
      }
    },
  )

  app.get<{ Params: PromptParams; Querystring: PromptStatsQuery }>(
    '/admin/v1/prompts/:name/stats',
    {
      config: { permission: 'prompts:read' },
      schema: {
        params: PromptParamsSchema,
        querystring: PromptStatsQuerySchema,
      },
    },
    async (req) => {
      if (!getPromptSummary(db, req.params.name)) throw promptNotFound(req.params.name)
      // Rows reach the database in batches; include the calls made a moment ago.
      app.requestLog.flush()
      const items = armStats(db, req.params.name, req.query.label)
      return { items, total: items.length, nextCursor: null }
    },
  )
}
