import type { ListPage } from '../../../src-shared/admin-api'
import type {
  ArmStats,
  Assertion,
  Cell,
  ColumnSummary,
  LabelTarget,
  PromptContent,
  PromptLabel,
  PromptMessage,
  PromptSummary,
  PromptVersion,
  Rating,
  RunColumn,
  RunRow,
} from '../../../src-shared/prompts-api'
import { ApiError, downloadFile, gatewayFetch, getJson, query, sendJson } from './client'

export type {
  ArmStats,
  Assertion,
  AssertionResult,
  Cell,
  CellStatus,
  ColumnSummary,
  LabelTarget,
  PromptContent,
  PromptLabel,
  PromptMessage,
  PromptSummary,
  PromptVersion,
  Rating,
  RunColumn,
  RunRow,
} from '../../../src-shared/prompts-api'
export type { ListPage }

// Shapes of the gateway's /admin/v1/prompts, /admin/v1/compare and /v1/prompts APIs (see docs/prompts-and-comparison.md).

export interface DiffLine {
  op: 'equal' | 'add' | 'remove'
  text: string
}

export interface PromptDiff {
  from: number
  to: number
  changed: string[]
  lines: DiffLine[]
}

export interface LabelMove {
  label: string
  from: LabelTarget | null
  to: LabelTarget | null
  createdAt: string
}

export interface RunAnswer {
  requestId: string | null
  version: string | null
  text: string
  usage: { prompt_tokens: number; completion_tokens: number } | null
  latencyMs: number
}

export interface RunSnapshot {
  id: number
  kind: 'side-by-side' | 'matrix' | 'replay'
  name: string | null
  status: 'running' | 'done' | 'cancelled' | 'failed'
  parentRunId: number | null
  createdAt: string
  isActive: boolean
  rows: RunRow[]
  columns: RunColumn[]
  progress: { total: number; finished: number; queued: number; running: number; errors: number; costUsd: number }
  summaries: ColumnSummary[]
  cells: Cell[]
}

export interface RunListItem {
  id: number
  kind: RunSnapshot['kind']
  name: string | null
  status: RunSnapshot['status']
  createdAt: string
  rows: number
  columns: string[]
}

export interface RunDiff {
  passRateDelta: number | null
  costDeltaUsd: number
  meanLatencyDeltaMs: number | null
  changed: { row: number; col: number; label: string }[]
}

export interface MatrixRequest {
  name?: string
  prompts?: { name: string; version?: number }[]
  messages?: PromptMessage[]
  models: string[]
  dataset: { rows: Record<string, unknown>[] } | { format: 'csv' | 'jsonl'; text: string }
  assertions: Assertion[]
  grader?: string
}

export type SideBySideEvent =
  | { event: 'run'; data: { runId: number; columns: RunColumn[] } }
  | { event: 'cell'; data: { col: number; status: 'running' } }
  | { event: 'delta'; data: { col: number; text: string } }
  | { event: 'done'; data: { col: number; cell: Cell } }
  | { event: 'end'; data: { runId: number; status: RunSnapshot['status'] } }

const enc = encodeURIComponent
const P = '/admin/v1/prompts'
const C = '/admin/v1/compare'

/** Named SSE events (`event:` + one JSON `data:` line) out of a byte stream cut anywhere. */
function createEventBuffer() {
  const decoder = new TextDecoder()
  let tail = ''
  return (chunk: Uint8Array | undefined): SideBySideEvent[] => {
    tail += chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode()
    const blocks = tail.split(/\r?\n\r?\n/)
    tail = chunk ? (blocks.pop() ?? '') : ''
    const out: SideBySideEvent[] = []
    for (const block of blocks) {
      let event = ''
      let data = ''
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data += line.slice(5).trimStart()
      }
      if (event && data) out.push({ event, data: JSON.parse(data) } as SideBySideEvent)
    }
    return out
  }
}

export const promptsApi = {
  list: (q?: string) => getJson<ListPage<PromptSummary>>(`${P}${query({ q, limit: 500 })}`),
  get: (name: string) => getJson<PromptSummary & { latest: PromptVersion }>(`${P}/${enc(name)}`),
  versions: (name: string) => getJson<ListPage<PromptVersion>>(`${P}/${enc(name)}/versions?limit=1000`),
  save: (name: string, content: PromptContent, note?: string) =>
    sendJson<{ version: PromptVersion; created: boolean }>('POST', `${P}/${enc(name)}/versions`, {
      ...content,
      ...(note ? { note } : {}),
    }),
  diff: (name: string, from: number, to: number) => getJson<PromptDiff>(`${P}/${enc(name)}/diff${query({ from, to })}`),
  setLabel: (name: string, label: string, target: LabelTarget) =>
    sendJson<PromptLabel>('PUT', `${P}/${enc(name)}/labels/${enc(label)}`, target),
  labelHistory: (name: string) => getJson<ListPage<LabelMove>>(`${P}/${enc(name)}/label-history`),
  stats: (name: string) => getJson<ListPage<ArmStats>>(`${P}/${enc(name)}/stats`),
  /** Runs a stored version through `/v1/prompts/{name}/run`, the endpoint clients call. */
  async run(name: string, body: { variables: Record<string, string>; version?: number }): Promise<RunAnswer> {
    const t0 = performance.now()
    const res = await gatewayFetch(`/v1/prompts/${enc(name)}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const json = await res.json().catch(() => null)
    const requestId = res.headers.get('x-request-id')
    if (!res.ok) throw new ApiError(res.status, json?.error?.message ?? `${res.status} ${res.statusText}`, requestId)
    return {
      requestId,
      version: res.headers.get('x-switchyard-prompt-version'),
      text: json?.choices?.[0]?.message?.content ?? '',
      usage: json?.usage ?? null,
      latencyMs: performance.now() - t0,
    }
  },
  feedback: (requestId: string, rating: Rating | null) =>
    sendJson<{ requestId: string; rating: Rating | null }>('POST', '/admin/v1/feedback', { requestId, rating }),
}

export const compareApi = {
  /** Side by side: streams `run`, then `cell`/`delta`/`done` per column, then `end`. */
  async sideBySide(
    body: {
      models: string[]
      messages?: PromptMessage[]
      prompt?: { name: string; version?: number; variables: Record<string, string> }
    },
    onEvent: (e: SideBySideEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await gatewayFetch(C, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    })
    if (!res.ok || !res.body) {
      const json = await res.json().catch(() => null)
      throw new ApiError(res.status, json?.error?.message ?? `${res.status} ${res.statusText}`)
    }
    const parse = createEventBuffer()
    const reader = res.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      for (const e of parse(done ? undefined : value)) onEvent(e)
      if (done) return
    }
  },
  startMatrix: (body: MatrixRequest) => sendJson<RunSnapshot>('POST', `${C}/runs`, body),
  replay: (body: { filter: Record<string, string>; limit: number; models: string[] }) =>
    sendJson<RunSnapshot & { skipped: number }>('POST', `${C}/replay`, body),
  run: (id: number) => getJson<RunSnapshot>(`${C}/runs/${id}`),
  runs: (kind?: RunSnapshot['kind']) => getJson<ListPage<RunListItem>>(`${C}/runs${query({ kind, limit: 50 })}`),
  cancel: (id: number) => sendJson<RunSnapshot>('POST', `${C}/runs/${id}/cancel`),
  rerun: (id: number, failuresOnly: boolean) =>
    sendJson<RunSnapshot>('POST', `${C}/runs/${id}/rerun`, { failuresOnly }),
  diff: (id: number, against: number) => getJson<RunDiff>(`${C}/runs/${id}/diff${query({ against })}`),
  parseDataset: (format: 'csv' | 'jsonl', text: string) =>
    sendJson<{ columns: string[]; total: number; rows: Record<string, unknown>[] }>('POST', `${C}/dataset`, {
      format,
      text,
    }),
  /** Saves the run's cells under the gateway's file name. */
  exportRun: (id: number, format: 'csv' | 'json') => downloadFile(`${C}/runs/${id}/export${query({ format })}`),
}
