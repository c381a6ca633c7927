import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NoBodySchema } from '../../../src-shared/contract/common.js'
import {
  type Dataset,
  type DatasetParseBody,
  DatasetParseBodySchema,
  type DatasetPreview,
  type MatrixBody,
  MatrixBodySchema,
  type PromptRef,
  type ReplayBody,
  ReplayBodySchema,
  type RerunBody,
  RerunBodySchema,
  type RunDiffQuery,
  RunDiffQuerySchema,
  type RunExportQuery,
  RunExportQuerySchema,
  type RunListQuery,
  RunListQuerySchema,
  type RunParams,
  RunParamsSchema,
  type SideBySideBody,
  SideBySideBodySchema,
  type SideBySideEvent,
} from '../../../src-shared/contract/compare.js'
import type { ConfigStore } from '../../config/store.js'
import { GatewayError } from '../../core/errors.js'
import type { RunColumn, RunRow, RunSpec } from '../../prompts/compare-types.js'
import { type DatasetRow, datasetColumns, parseDataset } from '../../prompts/dataset.js'
import type { PromptStore } from '../../prompts/prompt-store.js'
import { replayRows } from '../../prompts/replay.js'
import { diffRuns, runCsv } from '../../prompts/run-report.js'
import { selectVersion } from '../../prompts/select-version.js'
import { signedInPerson } from '../../sessions/attribution.js'
import type { Principal } from '../../team/principal.js'
import { requestWorkspace, seesWorkspace, visibleWorkspaces, WORKSPACE_HEADER } from '../../team/tenancy.js'
import { toLogFilter } from '../admin/query-params.js'
import { requireLogStore } from '../admin/stats.js'
import { assertSeesPrompt, listedWorkspaces } from './admin-prompts.js'
import type { PromptLibrary } from './routes.js'

const MAX_CELLS = 5000

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param })
}

function runNotFound(id: number): GatewayError {
  return new GatewayError('not_found', `no comparison run with id ${id}`, { code: 'run_not_found' })
}

/**
 * Columns: each prompt version × each model, or one per model when there is no stored prompt. A prompt outside the
 * principal's workspaces is not found; in team mode (`only` set) a run uses only prompts of its own workspace, whose
 * members all read the run's rendered inputs.
 */
async function columnsFor(
  store: PromptStore,
  principal: Principal | undefined,
  prompts: PromptRef[] | undefined,
  models: string[],
  only?: string,
): Promise<RunColumn[]> {
  if (!prompts) return models.map((model) => ({ model, label: model }))
  const columns: RunColumn[] = []
  for (const ref of prompts) {
    await assertSeesPrompt(store, principal, ref.name)
    const ws = await store.workspaceOf(ref.name)
    if (only !== undefined && ws !== only) {
      throw new GatewayError(
        'invalid_request',
        `prompt '${ref.name}' belongs to workspace '${ws}', not to the run's ('${only}')`,
        { param: 'workspace', code: 'prompt_workspace_mismatch' },
      )
    }
    const { version: v } = await selectVersion(store, ref.name, ref, 'compare')
    for (const model of models) {
      columns.push({
        model,
        promptName: v.name,
        promptVersion: v.version,
        promptVersionId: v.id,
        label: `${v.name}·v${v.version} · ${model}`,
      })
    }
  }
  return columns
}

function datasetRows(dataset: Dataset | undefined): DatasetRow[] {
  if (!dataset) return [{}]
  if (dataset.rows) return dataset.rows
  if (dataset.format && dataset.text !== undefined) return parseDataset(dataset.format, dataset.text)
  throw invalid("dataset needs 'rows', or 'format' and 'text'", 'dataset')
}

function checkSize(rows: number, columns: number): void {
  if (rows === 0) throw invalid('the dataset has no rows', 'dataset')
  if (rows * columns > MAX_CELLS) {
    throw invalid(`${rows} rows × ${columns} columns is over the limit of ${MAX_CELLS} cells`, 'dataset')
  }
}

/** Opens the side-by-side stream; its events are the contract's (SideBySideEvent). */
function sse(reply: FastifyReply): (e: SideBySideEvent) => void {
  reply.hijack()
  reply.raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  return ({ event, data }) => {
    if (!reply.raw.destroyed) reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }
}

/**
 * Where a run goes: the workspace it is stored in (the body's, else the request's, see requestWorkspace), and the
 * one its calls are made in: the same, except for the admin token naming none, whose calls stay outside every
 * workspace as its other UI calls do (policies/auth-hook.ts), so solo mode logs them as before.
 */
function placeOf(req: FastifyRequest, store: ConfigStore, named: string | undefined, stored?: string) {
  const workspace = stored ?? requestWorkspace(req, store.current.raw, named)
  const unnamed = named === undefined && req.headers[WORKSPACE_HEADER] === undefined
  const callsIn = req.principal?.kind === 'admin-token' && unnamed ? undefined : workspace
  return { workspace, callsIn }
}

/**
 * /admin/v1/compare: side-by-side (streamed), batch matrices, replays of logged traffic, and stored runs. Every run
 * belongs to a workspace: a member sees, changes and exports only their workspaces' runs; another's is not found.
 */
export function registerAdminCompare(app: FastifyInstance, lib: PromptLibrary, store: ConfigStore): void {
  const { runner, runs } = lib
  /** The run's id, when it is one the principal sees: else 404, as for a run that does not exist. */
  const seenRun = async (principal: Principal | undefined, id: number): Promise<number> => {
    const ws = await runs.runWorkspace(id)
    if (ws === null || !seesWorkspace(principal, ws)) throw runNotFound(id)
    return id
  }
  /** In team mode, the workspace whose data alone a new run may hold; undefined in solo mode. */
  const teamRun = (place: { workspace: string }) =>
    store.current.resolved.auth?.mode === 'team' ? place.workspace : undefined
  const seen = {
    preHandler: async (req: FastifyRequest<{ Params: RunParams }>) =>
      void (await seenRun(req.principal, req.params.id)),
  }

  // Side by side: SSE with one `run` event, then `cell`/`delta`/`done` per column, then `end`.
  app.post<{ Body: SideBySideBody }>(
    '/admin/v1/compare',
    { config: { permission: 'compare:run' }, schema: { body: SideBySideBodySchema } },
    async (req, reply) => {
      const body = req.body
      if (!body.messages === !body.prompt) throw invalid("give either 'messages' or 'prompt'", 'messages')
      const place = placeOf(req, store, body.workspace)
      const columns = await columnsFor(
        lib.prompts,
        req.principal,
        body.prompt && [body.prompt],
        body.models,
        teamRun(place),
      )
      const rows: RunRow[] = [
        body.messages ? { vars: {}, messages: body.messages } : { vars: body.prompt?.variables ?? {} },
      ]
      const spec: RunSpec = { kind: 'side-by-side', params: body.params, concurrency: body.concurrency, assertions: [] }
      const send = sse(reply)
      const id = await runner.start({ spec, rows, columns, person: signedInPerson(req.principal), ...place }, (e) => {
        if (e.type === 'cell') send({ event: 'cell', data: { col: e.col, status: e.status } })
        else if (e.type === 'delta') send({ event: 'delta', data: { col: e.col, text: e.text } })
        else send({ event: 'done', data: { col: e.col, cell: e.cell } })
      })
      send({ event: 'run', data: { runId: id, columns } })
      // The UI's Stop (or a closed window) ends the run.
      reply.raw.on('close', () => runner.cancel(id))
      await runner.wait(id)
      send({ event: 'end', data: { runId: id, status: (await runs.getRun(id))?.status ?? null } })
      reply.raw.end()
    },
  )

  app.post<{ Body: MatrixBody }>(
    '/admin/v1/compare/runs',
    { config: { permission: 'compare:run' }, schema: { body: MatrixBodySchema } },
    async (req, reply) => {
      const body = req.body
      if (!body.prompts === !body.messages) throw invalid("give either 'prompts' or 'messages'", 'prompts')
      const place = placeOf(req, store, body.workspace)
      const columns = await columnsFor(lib.prompts, req.principal, body.prompts, body.models, teamRun(place))
      const rows = datasetRows(body.dataset).map((vars) => ({ vars }))
      checkSize(rows.length, columns.length)
      const spec: RunSpec = {
        kind: 'matrix',
        name: body.name,
        messages: body.messages,
        params: body.params,
        assertions: body.assertions ?? [],
        grader: body.grader,
        concurrency: body.concurrency,
      }
      const id = await runner.start({ spec, rows, columns, person: signedInPerson(req.principal), ...place })
      return reply.code(202).send(await runner.snapshot(id))
    },
  )

  app.post<{ Body: ReplayBody }>(
    '/admin/v1/compare/replay',
    { config: { permission: 'compare:run' }, schema: { body: ReplayBodySchema } },
    async (req, reply) => {
      const body = req.body
      // Only the caller's workspaces' calls are replayed: a replay shows their bodies.
      const place = placeOf(req, store, body.workspace)
      // In team mode only the run's own workspace's calls: the run shows their bodies to everyone of its workspace,
      // who may not see another workspace's (even when the person replaying them does).
      const only = teamRun(place)
      const workspaces = only === undefined ? visibleWorkspaces(req.principal) : [only]
      const filter = { ...toLogFilter(body.filter ?? {}), workspaces }
      const { rows, skipped } = await replayRows(requireLogStore(app), filter, body.limit ?? 50, app.requestLog.cipher)
      const columns = await columnsFor(lib.prompts, req.principal, undefined, body.models)
      if (rows.length === 0) {
        throw invalid(
          `no logged request matches the filter with a stored body to replay${skipped ? ` (${skipped} could not be read)` : ''}`,
          'filter',
        )
      }
      checkSize(rows.length, columns.length)
      const spec: RunSpec = {
        kind: 'replay',
        name: body.name,
        params: body.params,
        assertions: body.assertions ?? [],
        grader: body.grader,
        concurrency: body.concurrency,
      }
      const id = await runner.start({ spec, rows, columns, person: signedInPerson(req.principal), ...place })
      return reply.code(202).send({ ...(await runner.snapshot(id)), skipped })
    },
  )

  app.post<{ Body: DatasetParseBody }>(
    '/admin/v1/compare/dataset',
    { config: { permission: 'compare:run' }, schema: { body: DatasetParseBodySchema } },
    async (req): Promise<DatasetPreview> => {
      const rows = parseDataset(req.body.format, req.body.text)
      return { columns: datasetColumns(rows), total: rows.length, rows: rows.slice(0, 20) }
    },
  )

  app.get<{ Querystring: RunListQuery }>(
    '/admin/v1/compare/runs',
    { config: { permission: 'compare:run' }, schema: { querystring: RunListQuerySchema } },
    async (req) => {
      const { kind, workspace, limit, cursor } = req.query
      return runs.listRuns({
        kind,
        workspaces: listedWorkspaces(req.principal, workspace),
        limit,
        cursor: cursor === undefined ? undefined : Number(cursor),
      })
    },
  )

  app.get<{ Params: RunParams }>(
    '/admin/v1/compare/runs/:id',
    { ...seen, config: { permission: 'compare:run' }, schema: { params: RunParamsSchema } },
    async (req) => {
      const run = await runner.snapshot(req.params.id)
      if (!run) throw runNotFound(req.params.id)
      return run
    },
  )

  app.delete<{ Params: RunParams }>(
    '/admin/v1/compare/runs/:id',
    { ...seen, config: { permission: 'compare:run' }, schema: { params: RunParamsSchema } },
    async (req, reply) => {
      runner.cancel(req.params.id)
      await runner.wait(req.params.id)
      if (!(await runs.deleteRun(req.params.id))) throw runNotFound(req.params.id)
      return reply.code(204).send()
    },
  )

  app.post<{ Params: RunParams }>(
    '/admin/v1/compare/runs/:id/cancel',
    { ...seen, config: { permission: 'compare:run' }, schema: { params: RunParamsSchema, body: NoBodySchema } },
    async (req) => {
      if (!(await runs.getRun(req.params.id, []))) throw runNotFound(req.params.id)
      const cancelled = runner.cancel(req.params.id)
      await runner.wait(req.params.id)
      return { ...(await runner.snapshot(req.params.id)), cancelled }
    },
  )

  // A new run with the same spec, rows and columns (prompt versions stay pinned); with failuresOnly,
  // cells that passed are copied and only the rest run again.
  app.post<{ Params: RunParams; Body: RerunBody }>(
    '/admin/v1/compare/runs/:id/rerun',
    { ...seen, config: { permission: 'compare:run' }, schema: { params: RunParamsSchema, body: RerunBodySchema } },
    async (req, reply) => {
      const failuresOnly = req.body?.failuresOnly === true
      const parent = await runs.getRun(req.params.id)
      if (!parent) throw runNotFound(req.params.id)
      const copied = failuresOnly
        ? (await runs.listCells(parent.id)).filter((c) => c.status === 'done' && c.pass !== false)
        : undefined
      const id = await runner.start({
        spec: parent.spec,
        rows: parent.rows,
        columns: parent.columns,
        parentRunId: parent.id,
        copied,
        person: signedInPerson(req.principal),
        // A re-run stays in its run's workspace.
        ...placeOf(req, store, undefined, parent.workspace),
      })
      return reply.code(202).send(await runner.snapshot(id))
    },
  )

  app.get<{ Params: RunParams; Querystring: RunDiffQuery }>(
    '/admin/v1/compare/runs/:id/diff',
    {
      ...seen,
      config: { permission: 'compare:run' },
      schema: { params: RunParamsSchema, querystring: RunDiffQuerySchema },
    },
    async (req) => {
      const against = await seenRun(req.principal, req.query.against)
      const [runCells, earlierCells] = await Promise.all([runs.listCells(req.params.id), runs.listCells(against)])
      const [run, earlier] = await Promise.all([
        runs.getRun(req.params.id, runCells),
        runs.getRun(against, earlierCells),
      ])
      if (!run) throw runNotFound(req.params.id)
      if (!earlier) throw runNotFound(req.query.against)
      return diffRuns(run, runCells, earlier, earlierCells)
    },
  )

  app.get<{ Params: RunParams; Querystring: RunExportQuery }>(
    '/admin/v1/compare/runs/:id/export',
    {
      ...seen,
      config: { permission: 'compare:run' },
      schema: { params: RunParamsSchema, querystring: RunExportQuerySchema },
    },
    async (req, reply) => {
      const run = await runner.snapshot(req.params.id)
      if (!run) throw runNotFound(req.params.id)
      const { format } = req.query
      reply.header('content-disposition', `attachment; filename="switchyard-run-${run.id}.${format}"`)
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(runCsv(run, run.cells))
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(run, null, 2))
    },
  )
}
