import type { ChatMessage } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { CallerIdentity } from '../pipeline/call.js'
import type { PriceBook } from '../pricing/price-book.js'
import { resolveModel } from '../routing/resolve.js'
import { evaluateAll, type Grader } from './assertions.js'
import { type CompareStore, RUN_LEASE_MS } from './compare-store.js'
import type { Cell, RunColumn, RunRow, RunSpec } from './compare-types.js'
import { type Limiter, limiterPool } from './limiter.js'
import { graderMessages } from './llm-rubric.js'
import { type CallResult, callThroughGateway, type ModelCallDeps } from './model-call.js'
import { renderMessages } from './template.js'

const CLOUD_CONCURRENCY = 4

/** What a running comparison reports as it goes (the side-by-side SSE stream forwards these). */
export type RunEvent =
  | { type: 'cell'; row: number; col: number; status: 'running' }
  | { type: 'delta'; row: number; col: number; text: string }
  | { type: 'done'; row: number; col: number; cell: Cell }

export interface RunnerDeps extends ModelCallDeps {
  priceBook: PriceBook
  /** Where runs and their cells are stored. */
  runs: CompareStore
}

/**
 * The gateway makes a run's calls itself, on behalf of the admin who started it: no client key, no key limits.
 * `person` is that admin when signed in as a member (team mode): the calls' log rows are theirs, and they are made
 * in the run's workspace (its log rows, budget and shared routes).
 */
function identityOf(spec: RunSpec, person: string | undefined, workspace: string | undefined): CallerIdentity {
  return {
    kind: 'system',
    purpose: spec.kind === 'replay' ? 'replay' : 'comparison',
    ...(person && { person }),
    ...(workspace && { workspace }),
  }
}

interface ActiveRun {
  abort: AbortController
  done: Promise<void>
}

/**
 * Runs comparisons: every cell through the gateway's own pipeline, with bounded concurrency per provider
 * (local providers one call at a time by default, to spare VRAM). Cells are saved as they finish, so
 * a cancelled or interrupted run keeps its finished cells.
 */
export class CompareRunner {
  private readonly active = new Map<number, ActiveRun>()
  private readonly leases: NodeJS.Timeout

  constructor(private readonly deps: RunnerDeps) {
    // Keeps this instance's runs its own on a shared database, and cancels those of an instance that stopped.
    this.leases = setInterval(() => {
      deps.runs.keepRunning([...this.active.keys()]).catch((err) => {
        // A database outage is reported once by its lifecycle, not every renewal; anything else is a fault.
        if (!(err instanceof GatewayError && err.kind === 'unavailable')) deps.logError(err, 'run leases not renewed')
      })
    }, RUN_LEASE_MS / 3)
    this.leases.unref()
  }

  /** Stores the run and starts it; resolves with its id once stored, the cells run in the background. */
  async start(
    run: {
      spec: RunSpec
      rows: RunRow[]
      columns: RunColumn[]
      parentRunId?: number
      copied?: Cell[]
      /** The signed-in member who started it, whom its calls are attributed to. */
      person?: string
      /** The workspace the run belongs to (see compare-store's createRun). */
      workspace?: string
      /** The workspace its calls are made in (their log rows, budget, shared routes); none: outside every one. */
      callsIn?: string
    },
    onEvent?: (e: RunEvent) => void,
  ): Promise<number> {
    const { runs } = this.deps
    const id = await runs.createRun(run)
    const abort = new AbortController()
    const identity = identityOf(run.spec, run.person, run.callsIn)
    const done = this.execute(id, run, identity, new Set(run.copied?.map(key)), abort.signal, onEvent)
      .then(() => runs.finishRun(id, abort.signal.aborted ? 'cancelled' : 'done'))
      .catch(() => runs.finishRun(id, 'failed'))
      // A database gone for good: the run stays `running` until its lease passes and a sweep cancels it.
      .catch((err) => this.deps.logError(err, `comparison run ${id} could not be closed`))
      .finally(() => this.active.delete(id))
    this.active.set(id, { abort, done })
    return id
  }

  /** Resolves when the run has stopped (at once for a run that is not active). */
  async wait(runId: number): Promise<void> {
    await this.active.get(runId)?.done
  }

  /** Stops a run: queued cells never start, calls in flight are aborted. False when it is not running. */
  cancel(runId: number): boolean {
    const run = this.active.get(runId)
    if (!run) return false
    run.abort.abort()
    return true
  }

  isActive(runId: number): boolean {
    return this.active.has(runId)
  }

  async close(): Promise<void> {
    clearInterval(this.leases)
    for (const run of this.active.values()) run.abort.abort()
    await Promise.all([...this.active.values()].map((r) => r.done))
  }

  private async execute(
    runId: number,
    { spec, rows, columns }: { spec: RunSpec; rows: RunRow[]; columns: RunColumn[] },
    identity: CallerIdentity,
    skip: Set<string>,
    signal: AbortSignal,
    onEvent?: (e: RunEvent) => void,
  ): Promise<void> {
    const limiterFor = await this.limiters(spec, columns)
    const tasks: Promise<void>[] = []
    for (const [r, row] of rows.entries()) {
      for (const [c, column] of columns.entries()) {
        if (skip.has(key({ row: r, col: c }))) continue
        tasks.push(
          limiterFor(c).run(async () => {
            if (signal.aborted) return
            await this.deps.runs.setCellStatus(runId, 'running', { row: r, col: c })
            onEvent?.({ type: 'cell', row: r, col: c, status: 'running' })
            const cell = await this.runCell(spec, identity, row, column, signal, (text) =>
              onEvent?.({ type: 'delta', row: r, col: c, text }),
            )
            await this.deps.runs.updateCell(runId, r, c, cell)
            onEvent?.({
              type: 'done',
              row: r,
              col: c,
              cell: { ...cell, row: r, col: c, model: column.model, rating: null },
            })
          }),
        )
      }
    }
    await Promise.all(tasks)
  }

  /** A limiter per column, shared by columns whose model lives on the same provider. */
  private async limiters(spec: RunSpec, columns: RunColumn[]): Promise<(col: number) => Limiter> {
    const { gw } = this.deps
    const providerOf = await Promise.all(
      columns.map(async (c) => {
        const resolution = await resolveModel(c.model, gw).catch(() => null)
        return resolution?.targets[0]?.provider ?? null
      }),
    )
    const pool = limiterPool((id) => {
      const locality = [...gw.providers.values()].find((p) => p.id === id)?.adapter.descriptor.locality
      const local = locality !== undefined && locality !== 'cloud'
      return spec.concurrency?.[id] ?? (local ? 1 : CLOUD_CONCURRENCY)
    })
    // Unresolvable models fail fast with a 404 from the gateway; they share one ordinary limiter.
    return (col) => pool(providerOf[col]?.id ?? '')
  }

  private async runCell(
    spec: RunSpec,
    identity: CallerIdentity,
    row: RunRow,
    column: RunColumn,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<Omit<Cell, 'row' | 'col' | 'model' | 'rating'>> {
    const request = await this.request(spec, row, column)
    if ('error' in request) return failedCell(request.error, request.input)
    const call = await callThroughGateway(this.deps, { ...request, identity, signal, onDelta })
    const costUsd = this.costOf(call)
    const base = {
      output: call.output,
      input: request.input,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      costUsd,
      latencyMs: call.latencyMs,
      ttftMs: call.ttftMs,
      requestId: call.requestId,
      error: call.error ?? null,
    }
    if (call.status !== 'done') return { ...base, status: call.status, pass: null, score: null, assertions: [] }
    const graded = await evaluateAll(
      spec.assertions,
      { output: call.output, vars: row.vars, latencyMs: call.latencyMs, costUsd },
      this.grader(spec, identity, column, signal),
    )
    return { ...base, status: 'done', pass: graded.pass, score: graded.score, assertions: graded.results }
  }

  /** The call a cell makes: a stored prompt run (so logs name the version), else chat. */
  private async request(
    spec: RunSpec,
    row: RunRow,
    column: RunColumn,
  ): Promise<
    { prompt?: string; body: Record<string, unknown>; input: ChatMessage[] | null } | { error: string; input: null }
  > {
    const params = spec.params ?? {}
    if (column.promptName !== undefined && column.promptVersion !== undefined) {
      const version = await this.deps.prompts.getVersion(column.promptName, column.promptVersion)
      const rendered = version ? renderMessages(version.content.messages, row.vars).messages : null
      return {
        prompt: column.promptName,
        body: { ...params, variables: row.vars, version: column.promptVersion, model: column.model },
        input: rendered,
      }
    }
    if (row.messages) return { body: { ...params, model: column.model, messages: row.messages }, input: row.messages }
    const rendered = renderMessages(spec.messages ?? [], row.vars)
    if (rendered.missing.length) {
      return { error: `missing variables: ${rendered.missing.join(', ')}`, input: null }
    }
    return {
      body: { ...params, model: column.model, messages: rendered.messages },
      input: rendered.messages,
    }
  }

  private grader(spec: RunSpec, identity: CallerIdentity, column: RunColumn, signal: AbortSignal): Grader {
    return async (rubric, output, model) => {
      const res = await callThroughGateway(this.deps, {
        identity,
        body: { model: model ?? spec.grader ?? column.model, messages: graderMessages(rubric, output), temperature: 0 },
        signal,
      })
      if (res.status !== 'done') throw new Error(res.error ?? res.status)
      return res.output
    }
  }

  private costOf(call: CallResult): number | null {
    if (!call.model || (call.inputTokens === null && call.outputTokens === null)) return null
    return this.deps.priceBook.cost({
      providerId: call.provider ?? undefined,
      model: call.model,
      usage: { input: call.inputTokens ?? 0, output: call.outputTokens ?? 0 },
      at: Date.now(),
    })
  }

  /** The run with its cells, for the API. */
  async snapshot(runId: number) {
    const cells = await this.deps.runs.listCells(runId)
    const run = await this.deps.runs.getRun(runId, cells)
    return run && { ...run, isActive: this.isActive(runId), cells }
  }
}

function key(c: { row: number; col: number }): string {
  return `${c.row}:${c.col}`
}

function failedCell(error: string, input: ChatMessage[] | null): Omit<Cell, 'row' | 'col' | 'model' | 'rating'> {
  return {
    status: 'error',
    output: null,
    input,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    latencyMs: null,
    ttftMs: null,
    error,
    requestId: null,
    pass: null,
    score: null,
    assertions: [],
  }
}
