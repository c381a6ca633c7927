// Telling local model servers apart by what they answer (docs/protocols.md §9). Ports 8000 and 8080
// are generic dev-server ports, so the port is never evidence.

import { isPlainObject } from '../core/json-values.js'

/** The paths probed on every candidate port; `/api/tags` only once `/api/version` looked like Ollama. */
export const PROBE_PATHS = ['/api/version', '/props', '/api/v0/models', '/v1/models', '/version'] as const
export type ProbePath = (typeof PROBE_PATHS)[number] | '/api/tags'

export interface ProbeAnswer {
  status: number
  /** Parsed JSON, or undefined when the body was not JSON. */
  body: unknown
}

export type Answers = Partial<Record<ProbePath, ProbeAnswer>>

export type ServerKind = 'ollama' | 'llamacpp' | 'lmstudio' | 'vllm' | 'openai-compatible'

export interface Identified {
  kind: ServerKind
  status: 'ok' | 'needs-key'
  models: string[]
}

type Obj = Record<string, unknown>

function ok(a: ProbeAnswer | undefined): Obj | undefined {
  return a && a.status >= 200 && a.status < 300 && isPlainObject(a.body) ? a.body : undefined
}

/** `data` entries of an OpenAI-style model list, or undefined when the body is not one. */
function openaiList(a: ProbeAnswer | undefined): Obj[] | undefined {
  const data = ok(a)?.data
  return Array.isArray(data) ? data.filter(isPlainObject) : undefined
}

const ids = (entries: Obj[], field = 'id') =>
  entries.map((e) => e[field]).filter((v): v is string => typeof v === 'string')

/** Whether Ollama's `/api/version` answered, so its model list is worth asking for. */
export function looksLikeOllama(a: Answers): boolean {
  return typeof ok(a['/api/version'])?.version === 'string'
}

/** What kind of server answered, or null when nothing there speaks a model API. */
export function identify(a: Answers): Identified | null {
  const tags = ok(a['/api/tags'])?.models
  if (looksLikeOllama(a) && Array.isArray(tags)) {
    return { kind: 'ollama', status: 'ok', models: ids(tags.filter(isPlainObject), 'name') }
  }
  const v1 = openaiList(a['/v1/models'])
  const props = ok(a['/props'])
  if (
    (props && ('default_generation_settings' in props || 'build_info' in props)) ||
    v1?.some((m) => m.owned_by === 'llamacpp')
  ) {
    return { kind: 'llamacpp', status: 'ok', models: ids(v1 ?? []) }
  }
  const lmstudio = openaiList(a['/api/v0/models'])
  if (lmstudio?.some((m) => 'state' in m || 'max_context_length' in m)) {
    return { kind: 'lmstudio', status: 'ok', models: ids(lmstudio) }
  }
  if (v1?.some((m) => 'max_model_len' in m || m.owned_by === 'vllm')) {
    return { kind: 'vllm', status: 'ok', models: ids(v1) }
  }
  if (v1) return { kind: 'openai-compatible', status: 'ok', models: ids(v1) }
  // A 401 or 403 still proves a server is there (Jan without its key, for one).
  const status = a['/v1/models']?.status
  if (status === 401 || status === 403) return { kind: 'openai-compatible', status: 'needs-key', models: [] }
  return null
}
