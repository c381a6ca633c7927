import type { FastifyInstance, FastifyRequest } from 'fastify'
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
import type { ConfigStore } from '../../config/store.js'
import { GatewayError } from '../../core/errors.js'
import { parsePromptContent } from '../../prompts/content.js'
import { changedParts, diffLines, promptLines } from '../../prompts/diff.js'
import { type PromptStore, promptNotFound } from '../../prompts/prompt-store.js'
import { selectVersion } from '../../prompts/select-version.js'
import { findVariables, renderMessages } from '../../prompts/template.js'
import type { Principal } from '../../team/principal.js'
import { requestWorkspace, seesWorkspace, visibleWorkspaces } from '../../team/tenancy.js'
import { requireLogStore } from '../admin/stats.js'

/**
 * Refuses (404, as for a prompt that does not exist: a member is not told it does) a prompt outside the principal's
 * workspaces. Every route under /admin/v1/prompts/:name reads or changes the prompt only after this.
 */
export async function assertSeesPrompt(
  prompts: PromptStore,
  principal: Principal | undefined,
  name: string,
): Promise<void> {
  const ws = await prompts.workspaceOf(name)
  if (ws === null || !seesWorkspace(principal, ws)) throw promptNotFound(name)
}

/**
 * The workspaces a list shows: the caller's (undefined: all), narrowed to `asked` when given. Asking for a
 * workspace that is not the caller's shows nothing rather than confirming it exists.
 */
export function listedWorkspaces(principal: Principal | undefined, asked: string | undefined) {
  const visible = visibleWorkspaces(principal)
  if (asked === undefined) return visible
  return visible === undefined || visible.includes(asked) ? [asked] : []
}

/** The prompt library under /admin/v1/prompts: versions, labels, diff, render preview and per-arm stats. */
export function registerAdminPrompts(app: FastifyInstance, prompts: PromptStore, store: ConfigStore): void {
  /** The route option that answers 404 for a prompt outside the caller's workspaces, before the handler runs. */
  const seen = {
    preHandler: async (req: FastifyRequest<{ Params: PromptParams }>) =>
      assertSeesPrompt(prompts, req.principal, req.params.name),
  }

  app.get<{ Querystring: PromptListQuery }>(
    '/admin/v1/prompts',
    { config: { permission: 'prompts:read' }, schema: { querystring: PromptListQuerySchema } },
    async (req) => {
      const { q, label, workspace, limit, cursor } = req.query
      return prompts.listPrompts({
        q,
        label,
        workspaces: listedWorkspaces(req.principal, workspace),
        limit,
        cursor: cursor === undefined ? undefined : Number(cursor),
      })
    },
  )

  app.get<{ Params: PromptParams }>(
    '/admin/v1/prompts/:name',
    { ...seen, config: { permission: 'prompts:read' }, schema: { params: PromptParamsSchema } },
    async (req) => {
      const summary = await prompts.getSummary(req.params.name)
      if (!summary) throw promptNotFound(req.params.name)
      return { ...summary, latest: await prompts.latestVersion(req.params.name) }
    },
  )

  app.delete<{ Params: PromptParams }>(
    '/admin/v1/prompts/:name',
    { ...seen, config: { permission: 'prompts:write' }, schema: { params: PromptParamsSchema } },
    async (req, reply) => {
      await prompts.deletePrompt(req.params.name)
      return reply.code(204).send()
    },
  )

  // Saving creates the prompt on its first version (in the request's workspace); identical content returns the
  // latest with created=false.
  app.post<{ Params: PromptParams; Body: PromptSaveBody }>(
    '/admin/v1/prompts/:name/versions',
    { config: { permission: 'prompts:write' }, schema: { params: PromptParamsSchema, body: PromptSaveBodySchema } },
    async (req, reply) => {
      const { note, author, workspace: named, ...content } = req.body
      const current = await prompts.workspaceOf(req.params.name)
      if (current !== null) await assertSeesPrompt(prompts, req.principal, req.params.name)
      const workspace = current ?? requestWorkspace(req, store.current.raw, named)
      if (named !== undefined && named !== workspace) {
        throw new GatewayError('invalid_request', `prompt '${req.params.name}' belongs to workspace '${workspace}'`, {
          param: 'workspace',
          code: 'prompt_workspace_fixed',
        })
      }
      const saved = await prompts.saveVersion(req.params.name, parsePromptContent(content, ''), {
        note,
        author,
        workspace,
      })
      return reply.code(saved.created ? 201 : 200).send(saved)
    },
  )

  app.get<{ Params: PromptParams; Querystring: PromptListQuery }>(
    '/admin/v1/prompts/:name/versions',
    {
      ...seen,
      config: { permission: 'prompts:read' },
      schema: { params: PromptParamsSchema, querystring: PromptListQuerySchema },
    },
    async (req) => {
      const { limit, cursor } = req.query
      return prompts.listVersions(req.params.name, { limit, cursor: cursor === undefined ? undefined : Number(cursor) })
    },
  )

  app.get<{ Params: PromptVersionParams }>(
    '/admin/v1/prompts/:name/versions/:version',
    { ...seen, config: { permission: 'prompts:read' }, schema: { params: PromptVersionParamsSchema } },
    async (req) => prompts.requireVersion(req.params.name, req.params.version),
  )

  app.get<{ Params: PromptParams; Querystring: PromptDiffQuery }>(
    '/admin/v1/prompts/:name/diff',
    {
      ...seen,
      config: { permission: 'prompts:read' },
      schema: { params: PromptParamsSchema, querystring: PromptDiffQuerySchema },
    },
    async (req) => {
      const [a, b] = await Promise.all([
        prompts.requireVersion(req.params.name, req.query.from),
        prompts.requireVersion(req.params.name, req.query.to),
      ])
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
    {
      ...seen,
      config: { permission: 'prompts:write' },
      schema: { params: PromptLabelParamsSchema, body: LabelTargetSchema },
    },
    async (req) => prompts.setLabel(req.params.name, req.params.label, req.body),
  )

  app.delete<{ Params: PromptLabelParams }>(
    '/admin/v1/prompts/:name/labels/:label',
    { ...seen, config: { permission: 'prompts:write' }, schema: { params: PromptLabelParamsSchema } },
    async (req, reply) => {
      await prompts.deleteLabel(req.params.name, req.params.label)
      return reply.code(204).send()
    },
  )

  app.get<{ Params: PromptParams }>(
    '/admin/v1/prompts/:name/label-history',
    { ...seen, config: { permission: 'prompts:read' }, schema: { params: PromptParamsSchema } },
    async (req) => {
      const items = await prompts.labelHistory(req.params.name)
      return { items, total: items.length, nextCursor: null }
    },
  )

  // A preview of what a run would send, for the editor's variables panel and for Compare.
  app.post<{ Params: PromptParams; Body: PromptRenderBody }>(
    '/admin/v1/prompts/:name/render',
    {
      ...seen,
      config: { permission: 'prompts:read' },
      schema: { params: PromptParamsSchema, body: PromptRenderBodySchema },
    },
    async (req): Promise<PromptRender> => {
      const { version } = await selectVersion(prompts, req.params.name, req.body, 'preview')
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
      ...seen,
      config: { permission: 'prompts:read' },
      schema: {
        params: PromptParamsSchema,
        querystring: PromptStatsQuerySchema,
      },
    },
    async (req) => {
      if ((await prompts.workspaceOf(req.params.name)) === null) throw promptNotFound(req.params.name)
      // Rows reach the database in batches; include the calls made a moment ago.
      await app.requestLog.flush()
      const items = await requireLogStore(app).promptArmStats(req.params.name, req.query.label)
      return { items, total: items.length, nextCursor: null }
    },
  )
}
