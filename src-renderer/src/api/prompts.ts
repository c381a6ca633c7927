import type { ListPage } from '../../../src-shared/contract/common'
import type {
  DatasetPreview,
  MatrixBody,
  ReplayBody,
  ReplayStarted,
  RunCancelled,
  RunDiff,
  RunKind,
  RunListItem,
  RunSnapshot,
  SideBySideBody,
  SideBySideEvent,
} from '../../../src-shared/contract/compare'
import type { Feedback, Rating } from '../../../src-shared/contract/feedback'
import type {
  ArmStats,
  LabelMove,
  LabelTarget,
  PromptContent,
  PromptDetail,
  PromptDiff,
  PromptLabel,
  PromptSaved,
  PromptSummary,
  PromptVersion,
} from '../../../src-shared/contract/prompts'
import { ApiError, downloadFile, gatewayFetch, getJson, query, sendJson } from './client'

// The gateway's /admin/v1/prompts, /admin/v1/compare and /v1/prompts APIs (see docs/prompts-and-comparison.md);
// the admin API's shapes are its contract's (src-shared/contract).

export type {
  Cell,
  CellStatus,
  ColumnSummary,
  RunColumn,
  RunDiff,
  RunListItem,
  RunRow,
  RunSnapshot,
  SideBySideEvent,
} from '../../../src-shared/contract/compare'
export type { Rating } from '../../../src-shared/contract/feedback'
export type {
  ArmStats,
  Assertion,
  AssertionResult,
  DiffLine,
  LabelMove,
  LabelTarget,
  PromptContent,
  PromptDiff,
  PromptLabel,
  PromptMessage,
  PromptSummary,
  PromptVersion,
} from '../../../src-shared/contract/prompts'
export type { ListPage }

/** A matrix run as the UI starts one. */
export type MatrixRequest = MatrixBody

/** What a run of a stored prompt through `/v1/prompts/{name}/run` shows (a client API, not the admin contract). */
export interface RunAnswer {
  requestId: string | null
  version: string | null
  text: string
  usage: { prompt_tokens: number; completion_tokens: number } | null
  latencyMs: number
}

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
  list: (q?: string, signal?: AbortSignal) =>
    getJson<ListPage<PromptSummary>>(`${P}${query({ q, limit: 500 })}`, signal),
  get: (name: string) => getJson<PromptDetail>(`${P}/${enc(name)}`),
  versions: (name: string, signal?: AbortSignal) =>
    getJson<ListPage<PromptVersion>>(`${P}/${enc(name)}/versions?limit=1000`, signal),
  save: (name: string, content: PromptContent, note?: string) =>
    sendJson<PromptSaved>('POST', `${P}/${enc(name)}/versions`, {
      ...content,
      ...(note ? { note } : {}),
    }),
  diff: (name: string, from: number, to: number, signal?: AbortSignal) =>
    getJson<PromptDiff>(`${P}/${enc(name)}/diff${query({ from, to })}`, signal),
  setLabel: (name: string, label: string, target: LabelTarget) =>
    sendJson<PromptLabel>('PUT', `${P}/${enc(name)}/labels/${enc(label)}`, target),
  labelHistory: (name: string, signal?: AbortSignal) =>
    getJson<ListPage<LabelMove>>(`${P}/${enc(name)}/label-history`, signal),
  stats: (name: string, signal?: AbortSignal) => getJson<ListPage<ArmStats>>(`${P}/${enc(name)}/stats`, signal),
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
    sendJson<Feedback>('POST', '/admin/v1/feedback', { requestId, rating } satisfies Feedback),
}

export const compareApi = {
  /** Side by side: streams `run`, then `cell`/`delta`/`done` per column, then `end`. */
  async sideBySide(body: SideBySideBody, onEvent: (e: SideBySideEvent) => void, signal: AbortSignal): Promise<void> {
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
  /** `filter` holds the Logs page's query values, which the gateway checks against the log filter's schema. */
  replay: (body: Omit<ReplayBody, 'filter'> & { filter: Record<string, string> }) =>
    sendJson<ReplayStarted>('POST', `${C}/replay`, body),
  run: (id: number, signal?: AbortSignal) => getJson<RunSnapshot>(`${C}/runs/${id}`, signal),
  runs: (kind?: RunKind, signal?: AbortSignal) =>
    getJson<ListPage<RunListItem>>(`${C}/runs${query({ kind, limit: 50 })}`, signal),
  cancel: (id: number) => sendJson<RunCancelled>('POST', `${C}/runs/${id}/cancel`),
  rerun: (id: number, failuresOnly: boolean) =>
    sendJson<RunSnapshot>('POST', `${C}/runs/${id}/rerun`, { failuresOnly }),
  diff: (id: number, against: number, signal?: AbortSignal) =>
    getJson<RunDiff>(`${C}/runs/${id}/diff${query({ against })}`, signal),
  parseDataset: (format: 'csv' | 'jsonl', text: string) =>
    sendJson<DatasetPreview>('POST', `${C}/dataset`, {
      format,
      text,
    }),
  /** Saves the run's cells under the gateway's file name. */
  exportRun: (id: number, format: 'csv' | 'json') => downloadFile(`${C}/runs/${id}/export${query({ format })}`),
}
