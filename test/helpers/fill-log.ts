/**
 * Fills a request log to a given size quickly, for scale tests and benches (issue 23).
 *
 *   import { fillLog } from '../helpers/fill-log.js'
 *   const filled = fillLog(dataDir, { rows: 1_000_000, days: 30 })   // or fillLog(openDb, …)
 *
 * Appends `rows` rows to `request_logs` (and ~`bodyBytes` of request+response JSON per row to
 * `request_log_bodies`), spread evenly over the `days` before `now` with ids rising with time, as the writer
 * makes them. Rows go in through prepared statements, one transaction per `chunkRows` (50k). Most of the
 * time goes to the search index's triggers and the rollups: on the shared 2-core VM 1M rows took ~4.5 min
 * with ~1 KB bodies and ~50 s without (`bodyBytes: 0`, enough for stats); the inserts alone took 17 s.
 * The mix is deterministic for a given `seed`:
 * several models, providers, keys, routes and inbound APIs; ~6% errors (400/429/500/502/499 aborted), ~40%
 * streams, ~5% cache hits, prompt names and A/B arms, guardrail hits, redactions and fallbacks.
 *
 * Searchable text: every body holds ordinary words; `RARE_TERMS.body` appears in the request body of exactly
 * `result.rare.body` rows and `RARE_TERMS.error` in the error text of exactly `result.rare.error` rows (one
 * per `rareEvery` rows, at least one), so a search test knows its answer without scanning.
 *
 * The rollup tables (src-gateway/store/rollups.ts) are filled for the new rows in the same transaction, as
 * the log writer does. Passing a data dir opens (and migrates) its database and closes it at the end; an open `Db` stays open.
 */
import { closeDatabase, type Db, openDatabase } from '../../src-gateway/store/db.js'
import { rollUpNewRows } from '../../src-gateway/store/rollups.js'
import { searchIndexer } from '../../src-gateway/store/search-index.js'

export interface FillOptions {
  /** Rows to append. */
  rows: number
  /** Days the rows are spread over, ending at `now`; default 30. */
  days?: number
  /** End of the time span (epoch ms); default Date.now(). */
  now?: number
  /** Approximate size of a row's request plus response JSON; 0 stores no bodies. Default 1000. */
  bodyBytes?: number
  /** Rows per transaction; default 50_000. */
  chunkRows?: number
  /** One row in this many carries each rare term; default 100_000. */
  rareEvery?: number
  seed?: number
  /** Workspaces the rows are spread over evenly (a key's workspace in team mode); none: rows have no workspace. */
  workspaces?: readonly string[]
  /** Called after each committed chunk with the rows written so far. */
  onProgress?: (written: number) => void
}

export interface FillResult {
  rows: number
  firstId: number
  lastId: number
  /** The span the rows were spread over (ISO; `to` exclusive). */
  from: string
  to: string
  /** How many rows carry each of `RARE_TERMS`. */
  rare: { body: number; error: number }
  ms: number
}

/** Words that occur nowhere else in the fixture: a search for one must find exactly `FillResult.rare` rows. */
export const RARE_TERMS = { body: 'quetzalcoatlus', error: 'xylophonist' } as const

/** Models and the provider serving each, with per-million prices used for `cost_usd`. */
const TARGETS = [
  { model: 'claude-sonnet-4-5', provider: 'anthropic', inUsd: 3, outUsd: 15, api: 'anthropic', weight: 30 },
  { model: 'claude-haiku-4-5', provider: 'anthropic', inUsd: 1, outUsd: 5, api: 'anthropic', weight: 15 },
  { model: 'gpt-4.1-mini', provider: 'openai', inUsd: 0.4, outUsd: 1.6, api: 'openai', weight: 20 },
  { model: 'gpt-4.1', provider: 'openai', inUsd: 2, outUsd: 8, api: 'responses', weight: 8 },
  { model: 'gemini-2.5-flash', provider: 'gemini', inUsd: 0.3, outUsd: 2.5, api: 'openai', weight: 10 },
  { model: 'llama3.1:8b', provider: 'ollama', inUsd: 0, outUsd: 0, api: 'ollama', weight: 9 },
  { model: 'qwen2.5-coder', provider: 'lmstudio', inUsd: 0, outUsd: 0, api: 'openai', weight: 5 },
  { model: 'text-embedding-3-small', provider: 'openai', inUsd: 0.02, outUsd: 0, api: 'embeddings', weight: 3 },
] as const
const KEYS = [null, null, null, 'alice', 'bob', 'ci-runner', 'claude-code'] as const
const ROUTES = [null, 'default', 'coding', 'local-first', 'cheap'] as const
const PROMPTS = ['summarize', 'triage', 'commit-message'] as const
const WORDS = (
  'the gateway routes each request to a provider model and logs latency tokens cost while the client waits ' +
  'refactor this function explain the stack trace write a unit test for parser summarize the meeting notes ' +
  'translate into french list three options compare both answers draft an email about the release schedule'
).split(' ')
const ERRORS = [
  { status: 429, error: 'rate limited by upstream: too many requests' },
  { status: 500, error: 'upstream returned 500 internal server error' },
  { status: 502, error: 'upstream connection reset before the first byte' },
  { status: 400, error: 'invalid request: messages must not be empty' },
  { status: 499, error: 'aborted' },
] as const

const INSERT = `INSERT INTO request_logs (
  created_at, request_id, inbound_api, route, provider, model, requested_model, key_name, status, error,
  latency_ms, ttft_ms, input_tokens, output_tokens, cached_tokens, reasoning_tokens, is_estimated, cost_usd,
  is_stream, attempts, is_cache_hit, prompt_name, prompt_version, prompt_arm, attempt_failures_json, is_fallback,
  redactions_json, guardrails_json, guardrail_action, cache_saved_usd, workspace
) VALUES (${Array(31).fill('?').join(', ')})`
const INSERT_BODY =
  'INSERT INTO request_log_bodies (log_id, request_json, response_json, is_truncated) VALUES (?, ?, ?, 0)'

/** mulberry32: small, fast and deterministic, so two fills with one seed hold the same rows. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Appends `opts.rows` realistic rows (see the top of this file) to the log in `target`. */
export function fillLog(target: string | Db, opts: FillOptions): FillResult {
  const started = performance.now()
  const db = typeof target === 'string' ? openDatabase(target) : target
  try {
    return fill(db, opts, started)
  } finally {
    if (typeof target === 'string') closeDatabase(db)
  }
}

function fill(db: Db, opts: FillOptions, started: number): FillResult {
  const { rows, days = 30, now = Date.now(), bodyBytes = 1000, chunkRows = 50_000, rareEvery = 100_000 } = opts
  const rand = prng(opts.seed ?? 23)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]
  const totalWeight = TARGETS.reduce((s, t) => s + t.weight, 0)
  const pickTarget = () => {
    let w = rand() * totalWeight
    for (const t of TARGETS) {
      w -= t.weight
      if (w < 0) return t
    }
    return TARGETS[0]
  }
  // A pool of sentences to cut bodies from: building a fresh 1 KB string per row would dominate the fill.
  const sentences = Array.from({ length: 256 }, () =>
    Array.from({ length: 12 + Math.floor(rand() * 12) }, () => pick(WORDS)).join(' '),
  )
  const text = (bytes: number) => {
    let s = ''
    while (s.length < bytes) s += `${pick(sentences)}. `
    return s.slice(0, bytes)
  }
  const half = Math.max(0, Math.floor(bodyBytes / 2) - 80)
  const requestBodies = Array.from({ length: 512 }, () => text(half))
  const responseBodies = Array.from({ length: 512 }, () => text(half))
  // Rare rows sit mid-chunk at fixed offsets so that their count is exact for any size.
  const rareOffset = Math.min(rows - 1, Math.floor(rareEvery / 2))
  const isRare = (i: number) => i % rareEvery === rareOffset

  const insert = db.prepare(INSERT)
  const insertBody = db.prepare(INSERT_BODY)
  const index = searchIndexer(db)
  const spanMs = days * 86_400_000
  const step = rows > 1 ? spanMs / rows : 0
  const t0 = now - spanMs
  let firstId = 0
  let lastId = 0
  const rare = { body: 0, error: 0 }

  const writeChunk = db.transaction((start: number, end: number) => {
    for (let i = start; i < end; i++) {
      const target = pickTarget()
      const at = Math.floor(t0 + i * step + rand() * step)
      const stream = target.api !== 'embeddings' && rand() < 0.4
      const cacheHit = rand() < 0.05
      const failure = !cacheHit && rand() < 0.06 ? pick(ERRORS) : null
      const rareError = isRare(i)
      const status = rareError ? 502 : (failure?.status ?? 200)
      const error = rareError ? `upstream ${RARE_TERMS.error} refused the call` : (failure?.error ?? null)
      const ok = status < 400
      const input = Math.floor(200 + rand() * rand() * 20_000)
      const output = ok && target.api !== 'embeddings' ? Math.floor(20 + rand() * rand() * 2_000) : 0
      const cost = (input * target.inUsd + output * target.outUsd) / 1e6
      // Latency is heavy-tailed like real calls: mostly under 2 s, some up to a minute.
      const latency = cacheHit ? 2 + rand() * 10 : 150 + (rand() * rand() * rand()) ** 1.5 * 60_000
      const promptName = rand() < 0.08 ? pick(PROMPTS) : null
      const guardrail = rand() < 0.02 ? (rand() < 0.3 ? 'block' : 'flag') : null
      const redacted = rand() < 0.03
      const fallback = !cacheHit && rand() < 0.03
      const route = pick(ROUTES)
      const requestId = `req_fill_${i.toString(36)}_${Math.floor(rand() * 1e9).toString(36)}`
      const info = insert.run(
        new Date(at).toISOString(),
        requestId,
        target.api,
        route,
        target.provider,
        target.model,
        route ?? target.model,
        pick(KEYS),
        status,
        error,
        latency,
        stream && ok ? latency * (0.1 + rand() * 0.4) : null,
        input,
        ok ? output : null,
        rand() < 0.3 ? Math.floor(input * 0.6) : null,
        target.model.startsWith('gpt-4.1') && ok ? Math.floor(output * 0.3) : null,
        target.provider === 'ollama' ? 1 : 0,
        ok ? (cacheHit ? 0 : cost) : null,
        stream ? 1 : 0,
        fallback ? 2 : 1,
        cacheHit ? 1 : 0,
        promptName,
        promptName ? 1 + Math.floor(rand() * 3) : null,
        promptName && rand() < 0.5 ? 'production:v2' : null,
        fallback ? JSON.stringify([{ provider: 'openai', model: 'gpt-4.1', status: 503, error: 'overloaded' }]) : null,
        fallback ? 1 : 0,
        redacted ? JSON.stringify(rand() < 0.5 ? { email: 1 } : { email: 2, phone: 1 }) : null,
        guardrail
          ? JSON.stringify([
              { stage: 'input', type: 'prompt_injection', check: 'injection', action: guardrail, detail: 'score 0.9' },
            ])
          : null,
        guardrail,
        cacheHit ? cost : null,
        opts.workspaces ? opts.workspaces[i % opts.workspaces.length] : null,
      )
      const id = Number(info.lastInsertRowid)
      if (!firstId) firstId = id
      lastId = id
      if (rareError) rare.error++
      const rareBody = isRare(i)
      if (rareBody) rare.body++
      // As the log writer indexes each row it writes (store/search-index.ts).
      const indexed = {
        request_id: requestId,
        route,
        requested_model: route ?? target.model,
        model: target.model,
        error,
      }
      if (bodyBytes <= 0) {
        index(id, indexed)
        continue
      }
      const prompt = `${rareBody ? `${RARE_TERMS.body} ` : ''}${requestBodies[i & 511]}`
      const request = `{"model":"${target.model}","stream":${stream},"messages":[{"role":"user","content":"${prompt}"}]}`
      const response = ok ? `{"role":"assistant","content":"${responseBodies[(i * 7) & 511]}"}` : null
      insertBody.run(id, request, response)
      index(id, indexed, request, response)
    }
    rollUpNewRows(db, now)
  })

  for (let start = 0; start < rows; start += chunkRows) {
    const end = Math.min(rows, start + chunkRows)
    writeChunk(start, end)
    opts.onProgress?.(end)
  }
  return {
    rows,
    firstId,
    lastId,
    from: new Date(t0).toISOString(),
    to: new Date(now).toISOString(),
    rare,
    ms: Math.round(performance.now() - started),
  }
}
