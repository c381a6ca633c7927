import type { RedactedSpan, RedactionPreview } from '../../../src-shared/contract/policies.js'
import {
  BUILTIN_ENTITY_TYPES,
  customPatternProblem,
  type RedactionConfig,
  type RedactionMode,
} from '../../config/policies/redaction.js'
import { GatewayError } from '../../core/errors.js'
import { BUILTIN_DETECTORS, createScanner, customDetectors, type Entity, type Scanner } from './detectors.js'
import { editStrings } from './json-walk.js'
import type { Vault } from './restore.js'

/** Entity type → how many values of it were replaced. */
export type RedactionCounts = Record<string, number>

export interface BodyRedaction {
  /** A copy of the body sharing every untouched part with the original. */
  body: Record<string, unknown>
  found: RedactionCounts
  /** Reversible mode: the placeholders to put back in the answer. */
  vault?: Vault
}

export interface TextRedaction {
  text: string
  found: RedactionCounts
  vault?: Vault
}

/** One value a message would lose: `text.slice(start, end)` leaves as a placeholder of this type (admin contract). */
/** What the admin's test box shows: a user message as it would leave, and where each value was. */
export type { RedactedSpan, RedactionPreview }

export interface Redactor {
  readonly mode: RedactionMode
  /** Redacts a client request body of any dialect; undefined when nothing was found (keep the original). */
  redactBody(body: Record<string, unknown>): BodyRedaction | undefined
  /** Redacts one plain text; undefined when nothing was found. */
  redactText(text: string): TextRedaction | undefined
  /** A user message's content as `redactBody` sends it, with the spans it replaced. */
  preview(text: string): RedactionPreview
}

/**
 * Fields that are structure, not content, in any of the client dialects (OpenAI chat, Anthropic
 * messages, OpenAI Responses, Ollama): ids and names the answer refers back to, enums, stop sequences,
 * tool and output schemas, signed or encoded data. A change there would break the call, not protect it.
 */
const STRUCTURAL_KEYS = [
  'model',
  'role',
  'type',
  'id',
  'name',
  'tool_call_id',
  'tool_use_id',
  'call_id',
  'previous_response_id',
  'prompt_cache_key',
  'stream',
  'stop',
  'stop_sequences',
  'format',
  'response_format',
  'json_schema',
  'tool_choice',
  'tools',
  'functions',
  'media_type',
  'file_id',
  // Signed, encrypted or base64: reasoning round-trips, images, files.
  'signature',
  'encrypted_content',
  'images',
  'file_data',
  // Credentials the upstream itself needs to reach MCP servers on the caller's behalf.
  'mcp_servers',
]

/**
 * Fields that are structure in some objects only. An Anthropic thinking block is signed (an edited one
 * is refused on the next turn), while Ollama's `thinking` is plain text; `data` is base64 (images,
 * audio, redacted thinking) except in an Anthropic plain-text document source.
 */
function contextual(key: string, parent: Record<string, unknown>): boolean {
  if (key === 'thinking') return parent.type === 'thinking'
  if (key === 'data') return parent.type !== 'text'
  return false
}

/** Fields holding a link the upstream must be able to follow. */
const URL_KEYS = new Set(['url', 'image_url', 'file_url'])
const LINK = /^(?:data:|https?:)/
const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+[;,]/

const label = (type: string) => type.toUpperCase()

/** Redaction state of one call: the same original always gets the same placeholder. */
function createSession(mode: 'mask' | 'reversible') {
  const found: RedactionCounts = {}
  const vault = new Map<string, string>()
  const byOriginal = new Map<string, string>()
  const counters = new Map<string, number>()

  const placeholder = (e: Entity): string => {
    if (mode === 'mask') return `[${label(e.type)}]`
    let p = byOriginal.get(e.value)
    if (!p) {
      const n = (counters.get(e.type) ?? 0) + 1
      counters.set(e.type, n)
      p = `[${label(e.type)}_${n}]`
      byOriginal.set(e.value, p)
      vault.set(p, e.value)
    }
    return p
  }

  return {
    found,
    vault: mode === 'reversible' ? vault : undefined,
    replace(text: string, entities: Entity[]): string {
      let out = ''
      let at = 0
      for (const e of entities) {
        out += text.slice(at, e.start) + placeholder(e)
        at = e.end
        found[e.type] = (found[e.type] ?? 0) + 1
      }
      return out + text.slice(at)
    },
  }
}

const OFF: Redactor = {
  mode: 'off',
  redactBody: () => undefined,
  redactText: () => undefined,
  preview: (text) => ({ redacted: text, entities: [] }),
}

/**
 * Compiles a redaction config once (rebuild it when the config changes). Custom patterns must have
 * passed `validateRedaction`; one that does not compile is refused here too.
 */
export function createRedactor(config: RedactionConfig): Redactor {
  const { mode } = config
  if (mode === 'off') return OFF
  const custom = config.custom ?? []
  custom.forEach((c, i) => {
    const problem = customPatternProblem(c)
    if (problem) {
      throw new GatewayError('invalid_request', `redaction pattern '${c.name}' ${problem}`, {
        param: `redaction.custom.${i}.pattern`,
      })
    }
  })
  const detect = new Set<string>(config.detect ?? BUILTIN_ENTITY_TYPES)
  const scan: Scanner = createScanner([
    ...customDetectors(custom),
    ...BUILTIN_DETECTORS.filter((d) => detect.has(d.type)),
  ])
  const skipped = new Set([...STRUCTURAL_KEYS, ...(config.skipFields ?? [])])
  const skip = (key: string, _: unknown, parent: Record<string, unknown>) => skipped.has(key) || contextual(key, parent)

  /** What is replaced in one string of a body: nothing in a data URL or a link the upstream must follow. */
  const entitiesIn = (text: string, key: string | undefined): Entity[] =>
    DATA_URL.test(text) || (key !== undefined && URL_KEYS.has(key) && LINK.test(text)) ? [] : scan(text)
  const redactString = (session: ReturnType<typeof createSession>) => (text: string, key: string | undefined) => {
    const entities = entitiesIn(text, key)
    return entities.length === 0 ? text : session.replace(text, entities)
  }

  return {
    mode,
    redactBody(body) {
      const session = createSession(mode)
      const out = editStrings(body, redactString(session), skip) as Record<string, unknown>
      return out === body ? undefined : { body: out, found: session.found, vault: session.vault }
    },
    redactText(text) {
      const session = createSession(mode)
      const entities = scan(text)
      if (entities.length === 0) return undefined
      return { text: session.replace(text, entities), found: session.found, vault: session.vault }
    },
    preview(text) {
      // The path a message's `content` takes through redactBody, so the test box shows what would leave.
      const entities = entitiesIn(text, 'content')
      return {
        redacted: entities.length === 0 ? text : createSession(mode).replace(text, entities),
        entities: entities.map(({ type, start, end }) => ({ type, start, end })),
      }
    },
  }
}
