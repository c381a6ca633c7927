import type { FastifyInstance, FastifyReply } from 'fastify'
import { type Static, Type } from 'typebox'
import { GatewayError } from '../../core/errors.js'
import { AssertionSchema } from '../../prompts/assertions.js'
import type { CompareRunner } from '../../prompts/compare-runner.js'
import { deleteRun, getRun, listCells, listRuns } from '../../prompts/compare-store.js'
import type { RunColumn, RunRow, RunSpec } from '../../prompts/compare-types.js'
import { PromptMessageSchema } from '../../prompts/content.js'
import { type DatasetRow, datasetColumns, parseDataset } from '../../prompts/dataset.js'
import { replayRows } from '../../prompts/replay.js'
import { diffRuns, runCsv } from '../../prompts/run-report.js'
import { selectVersion } from '../../prompts/select-version.js'
import type { Db } from '../../store/db.js'
import { LogFilterFields, toLogFilter } from '../admin/query-params.js'
import { bodyValidator } from './validate.js'

const MAX_CELLS = 5000
const Models = (min: number, max: number) =>
  Type.Array(Type.String({ minLength: 1 }), { minItems: min, maxItems: max, uniqueItems: true })
const PromptRef = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    label: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)
const Shared = {
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  concurrency: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 64 }))),
}
const Dataset = Type.Object(
  {
    rows: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 5000 })),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')])),
    text: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)
const Grading = {
  assertions: Type.Optional(Type.Array(AssertionSchema, { maxItems: 50 })),
  grader: Type.Optional(Type.String({ minLength: 1 })),
}

const SideBySideSchema = Type.Object(
  {
    models: Models(1, 6),
    messages: Type.Optional(Type.Array(PromptMessageSchema, { minItems: 1 })),
    prompt: Type.Optional(
      Type.Object(
        { ...PromptRef.properties, variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
        { additionalProperties: false },
      ),
    ),
    ...Shared,
  },
  { additionalProperties: false },
)
const MatrixSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    prompts: Type.Optional(Type.Array(PromptRef, { minItems: 1, maxItems: 10 })),
    messages: Type.Optional(Type.Array(PromptMessageSchema, { minItems: 1 })),
    models: Models(1, 10),
    dataset: Type.Optional(Dataset),
    ...Grading,
    ...Shared,
  },
  { additionalProperties: false },
)
const ReplaySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    filter: Type.Optional(Type.Object(LogFilterFields, { additionalProperties: false })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    models: Models(1, 10),
    ...Grading,
    ...Shared,
  },
  { additionalProperties: false },
)
const readSideBySide = bodyValidator<Static<typeof SideBySideSchema>>(SideBySideSchema)
const readMatrix = bodyValidator<Static<typeof MatrixSchema>>(MatrixSchema)
const readReplay = bodyValidator<Static<typeof ReplaySchema>>(ReplaySchema)
const readDataset = bodyValidator<{ format: 'csv' | 'jsonl'; text: string }>(
  Type.Object(
    { format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]), text: Type.String() },
    { additionalProperties: false },
  ),
)
const readRerun = bodyValidator<{ failuresOnly?: boolean }>(
  Type.Object({ failuresOnly: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
)

const RunParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
type RunId = Static<typeof RunParams>

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param })
}

function runNotFound(id: number): GatewayError {
  return new GatewayError('not_found', `no comparison run with id ${id}`, { code: 'run_not_found' })
}

/** Columns: each prompt version × each model, or one per model when there is no stored prompt. */
function columnsFor(db: Db, prompts: Static<typeof PromptRef>[] | undefined, models: string[]): RunColumn[] {
  if (!prompts) return models.map((model) => ({ model, label: model }))
  return prompts.flatMap((ref) => {
    const { version: v } = selectVersion(db, ref.name, ref, 'compare')
    return models.map((model) => ({
      model,
      promptName: v.name,
      promptVersion: v.version,
      promptVersionId: v.id,
      label: `${v.name}·v${v.version} · ${model}`,
    }))
  })
}

function datasetRows(dataset: Static<typeof Dataset> | undefined): DatasetRow[] {
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

function sse(reply: FastifyReply) {
  reply.hijack()
  reply.raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  return (event: string, data: unknown) => {
    if (!reply.raw.destroyed) reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }
}

/** /admin/v1/compare: side-by-side (streamed), batch matrices, replays of logged traffic, and stored runs. */
export function registerAdminCompare(app: FastifyInstance, db: Db, runner: CompareRunner): void {
  // Side by side: SSE with one `run` event, then `cell`/`delta`/`done` per column, then `end`.
  app.post('/admin/v1/compare', async (req, reply) => {
    const body = readSideBySide(req.body)
    if (!body.messages === !body.prompt) throw invalid("give either 'messages' or 'prompt'", 'messages')
    const columns = columnsFor(db, body.prompt && [body.prompt], body.models)
    const rows: RunRow[] = [
      body.messages ? { vars: {}, messages: body.messages } : { vars: body.prompt?.variables ?? {} },
    ]
    const spec: RunSpec = { kind: 'side-by-side', params: body.params, concurrency: body.concurrency, assertions: [] }
    const send = sse(reply)
    const id = runner.start({ spec, rows, columns }, (e) => {
      if (e.type === 'cell') send('cell', { col: e.col, status: e.status })
      else if (e.type === 'delta') send('delta', { col: e.col, text: e.text })
      else send('done', { col: e.col, cell: e.cell })
    })
    send('run', { runId: id, columns })
    // The UI's Stop (or a closed window) ends the run.
    reply.raw.on('close', () => runner.cancel(id))
    await runner.wait(id)
    send('end', { runId: id, status: getRun(db, id)?.status })
    reply.raw.end()
  })

  app.post('/admin/v1/compare/runs', async (req, reply) => {
    const body = readMatrix(req.body)
    if (!body.prompts === !body.messages) throw invalid("give either 'prompts' or 'messages'", 'prompts')
    const columns = columnsFor(db, body.prompts, body.models)
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
    const id = runner.start({ spec, rows, columns })
    return reply.code(202).send(runner.snapshot(id))
  })

  app.post('/admin/v1/compare/replay', async (req, reply) => {
    const body = readReplay(req.body)
    const { rows, skipped } = replayRows(db, toLogFilter(body.filter ?? {}), body.limit ?? 50, app.requestLog.cipher)
    const columns = columnsFor(db, undefined, body.models)
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
    const id = runner.start({ spec, rows, columns })
    return reply.code(202).send({ ...runner.snapshot(id), skipped })
  })

  app.post('/admin/v1/compare/dataset', async (req) => {
    const { format, text } = readDataset(req.body)
    const rows = parseDataset(format, text)
    return { columns: datasetColumns(rows), total: rows.length, rows: rows.slice(0, 20) }
  })

  app.get<{ Querystring: { kind?: 'side-by-side' | 'matrix' | 'replay'; limit: number; cursor?: string } }>(
    '/admin/v1/compare/runs',
    {
      schema: {
        querystring: Type.Object({
          kind: Type.Optional(
            Type.Union([Type.Literal('side-by-side'), Type.Literal('matrix'), Type.Literal('replay')]),
          ),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
          cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
        }),
      },
    },
    async (req) => {
      const { kind, limit, cursor } = req.query
      return listRuns(db, { kind, limit, cursor: cursor === undefined ? undefined : Number(cursor) })
    },
  )

  app.get<{ Params: RunId }>('/admin/v1/compare/runs/:id', { schema: { params: RunParams } }, async (req) => {
    const run = runner.snapshot(req.params.id)
    if (!run) throw runNotFound(req.params.id)
    return run
  })

  app.delete<{ Params: RunId }>('/admin/v1/compare/runs/:id', { schema: { params: RunParams } }, async (req, reply) => {
    runner.cancel(req.params.id)
    await runner.wait(req.params.id)
    if (!deleteRun(db, req.params.id)) throw runNotFound(req.params.id)
    return reply.code(204).send()
  })

  app.post<{ Params: RunId }>('/admin/v1/compare/runs/:id/cancel', { schema: { params: RunParams } }, async (req) => {
    if (!getRun(db, req.params.id)) throw runNotFound(req.params.id)
    const cancelled = runner.cancel(req.params.id)
    await runner.wait(req.params.id)
    return { ...runner.snapshot(req.params.id), cancelled }
  })

  // A new run with the same spec, rows and columns (prompt versions stay pinned); with failuresOnly,
  // cells that passed are copied and only the rest run again.
  app.post<{ Params: RunId }>(
    '/admin/v1/compare/runs/:id/rerun',
    { schema: { params: RunParams } },
    async (req, reply) => {
      const { failuresOnly } = readRerun(req.body ?? {})
      const parent = getRun(db, req.params.id)
      if (!parent) throw runNotFound(req.params.id)
      const copied = failuresOnly
        ? listCells(db, parent.id).filter((c) => c.status === 'done' && c.pass !== false)
        : undefined
      const id = runner.start({
        spec: parent.spec,
        rows: parent.rows,
        columns: parent.columns,
        parentRunId: parent.id,
        copied,
      })
      return reply.code(202).send(runner.snapshot(id))
    },
  )

  app.get<{ Params: RunId; Querystring: { against: number } }>(
    '/admin/v1/compare/runs/:id/diff',
    { schema: { params: RunParams, querystring: Type.Object({ against: Type.Integer({ minimum: 1 }) }) } },
    async (req) => {
      const run = getRun(db, req.params.id)
      const earlier = getRun(db, req.query.against)
      if (!run) throw runNotFound(req.params.id)
      if (!earlier) throw runNotFound(req.query.against)
      return diffRuns(run, listCells(db, run.id), earlier, listCells(db, earlier.id))
    },
  )

  app.get<{ Params: RunId; Querystring: { format: 'csv' | 'json' } }>(
    '/admin/v1/compare/runs/:id/export',
    {
      schema: {
        params: RunParams,
        querystring: Type.Object({
          format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'json' }),
        }),
      },
    },
    async (req, reply) => {
      const run = runner.snapshot(req.params.id)
      if (!run) throw runNotFound(req.params.id)
      const { format } = req.query
      reply.header('content-disposition', `attachment; filename="switchyard-run-${run.id}.${format}"`)
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(runCsv(run, run.cells))
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(run, null, 2))
    },
  )
}
