import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { DiscoveryConfig } from '../config/schema.js'
import { readBounded } from '../core/bounded-read.js'
import { type Answers, type Identified, identify, looksLikeOllama, PROBE_PATHS, type ProbePath } from './fingerprint.js'

/** Each server's usual port; only where to look, never what is there. */
export const DEFAULT_PORTS = { ollama: 11434, llamacpp: 8080, lmstudio: 1234, jan: 1337, vllm: 8000 }

const PROBE_TIMEOUT_MS = 500
/** A probe's answer is a short JSON document; whatever listens on the port may send more. */
const PROBE_MAX_BYTES = 1024 * 1024

export interface FoundServer extends Identified {
  /** The provider baseUrl for this server, by DESIGN.md's convention (`/v1` except for Ollama). */
  baseUrl: string
  origin: string
}

async function probe(origin: string, path: ProbePath, signal: AbortSignal) {
  try {
    const res = await fetch(origin + path, { signal: AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]) })
    const text = res.body
      ? await readBounded(Readable.fromWeb(res.body as WebReadableStream), PROBE_MAX_BYTES, 'throw')
      : ''
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    return { status: res.status, body }
  } catch {
    return undefined
  }
}

async function probeOrigin(origin: string, signal: AbortSignal): Promise<FoundServer | null> {
  const answers: Answers = {}
  await Promise.all(
    PROBE_PATHS.map(async (path) => {
      const answer = await probe(origin, path, signal)
      if (answer) answers[path] = answer
    }),
  )
  if (looksLikeOllama(answers)) {
    const tags = await probe(origin, '/api/tags', signal)
    if (tags) answers['/api/tags'] = tags
  }
  const found = identify(answers)
  if (!found) return null
  return { ...found, origin, baseUrl: found.kind === 'ollama' ? origin : `${origin}/v1` }
}

/** `OLLAMA_HOST` as Ollama reads it (`host`, `host:port` or a URL), bound-to-all mapped to loopback. */
export function ollamaHostOrigin(value: string | undefined): string | undefined {
  if (!value) return undefined
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(value) ? value : `http://${value}`)
    if (url.hostname === '0.0.0.0' || url.hostname === 'localhost') url.hostname = '127.0.0.1'
    if (!url.port) url.port = String(DEFAULT_PORTS.ollama)
    return url.origin
  } catch {
    return undefined
  }
}

/** Origins to probe: 127.0.0.1 (not `localhost`, which may resolve to ::1) on each configured port. */
export function candidateOrigins(config: DiscoveryConfig | undefined, env: NodeJS.ProcessEnv): string[] {
  const ports = { ...DEFAULT_PORTS, ...config?.ports }
  const origins = Object.values(ports)
    .filter((p) => p > 0)
    .map((p) => `http://127.0.0.1:${p}`)
  const ollama = ollamaHostOrigin(env.OLLAMA_HOST)
  if (ollama) origins.push(ollama)
  return [...new Set(origins)]
}

/** Probes every candidate in parallel; the whole scan takes about one probe timeout. */
export async function discoverLocalServers(origins: string[], signal: AbortSignal): Promise<FoundServer[]> {
  const found = await Promise.all(origins.map((o) => probeOrigin(o, signal)))
  return found.filter((f): f is FoundServer => f !== null)
}
