// Tool calls some local models write into their text instead of the API's tool-call fields, in the format
// their chat template taught them:
//   hermes   Hermes, Qwen 2.5:  <tool_call>{"name": …, "arguments": {…}}</tool_call>
//            Qwen3-Coder:      <tool_call><function=name><parameter=p>value</parameter></function></tool_call>
//   mistral  [TOOL_CALLS][{"name": …, "arguments": {…}}, …]   or   [TOOL_CALLS]name[ARGS]{…}
//   llama    Llama 3.1+: <|python_tag|>{"name": …, "parameters": {…}}, or that object alone as the answer
//   auto     any of these
// The parser reads text as it streams: text that cannot be the start of a marker goes on at once, a possible
// marker's first characters are held (a few bytes at most), and a call's text is held until the call is
// complete, then given back as a call. What does not parse as a call goes on as the text it was.

import { jsonrepair } from 'jsonrepair'
import { isPlainObject } from '../json-values.js'
import { argumentsText } from './arguments.js'

export type ToolCallFormat = 'hermes' | 'mistral' | 'llama' | 'auto'

export interface TextToolCall {
  name: string
  /** One JSON object, as a tool call's `arguments` carry it (repaired where it had to be). */
  arguments: string
}

/** What the parser lets through, in order: text for the client, or a call lifted out of the text. */
export type TextPiece = { text: string; call?: undefined } | { call: TextToolCall; text?: undefined }

export interface TextToolCallParser {
  push(text: string): TextPiece[]
  /** The text ended: whatever was held, as calls where it parses, else as text. */
  end(): TextPiece[]
}

/** The request's tools: names (a bare JSON answer is a call only when it names one) and parameter schemas. */
export type ToolSchemas = ReadonlyMap<string, unknown>

type Kind = 'hermes' | 'mistral' | 'python'

interface Marker {
  kind: Kind
  open: string
  /** Hermes calls end with a tag; the others end where their JSON value ends. */
  close?: string
}

const HERMES: Marker = { kind: 'hermes', open: '<tool_call>', close: '</tool_call>' }
const MISTRAL: Marker = { kind: 'mistral', open: '[TOOL_CALLS]' }
const PYTHON: Marker = { kind: 'python', open: '<|python_tag|>' }

const MARKERS: Record<ToolCallFormat, readonly Marker[]> = {
  hermes: [HERMES],
  mistral: [MISTRAL],
  llama: [PYTHON],
  auto: [HERMES, MISTRAL, PYTHON],
}

/** Leading whitespace held while a bare JSON call may still follow; beyond it the answer is text. */
const MAX_LEADING_SPACE = 256
/** Mistral's `name[ARGS]`: a name longer than this is not one. */
const MAX_NAME = 256
const ARGS = '[ARGS]'

/** Finds where a JSON object or array that starts at `pos` ends, over text that only grows. */
class JsonEnd {
  private depth = 0
  private inString = false
  private escaped = false
  private started = false
  constructor(private pos: number) {}

  /** The index just past the value, -1 while it is still open, -2 when the text there is no object or array. */
  find(s: string): number {
    for (; this.pos < s.length; this.pos++) {
      const c = s.charCodeAt(this.pos)
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (c === 0x5c) this.escaped = true
        else if (c === 0x22) this.inString = false
        continue
      }
      if (!this.started) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue
        if (c !== 0x7b && c !== 0x5b) return -2
        this.started = true
        this.depth = 1
        continue
      }
      if (c === 0x22) this.inString = true
      else if (c === 0x7b || c === 0x5b) this.depth++
      else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) return ++this.pos
    }
    return -1
  }
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    try {
      return JSON.parse(jsonrepair(text))
    } catch {
      return undefined
    }
  }
}

/** `{"name", "arguments"|"parameters"}` objects (or OpenAI's `{"function": {…}}`), one or a list; else undefined. */
function callsOf(value: unknown): TextToolCall[] | undefined {
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) return undefined
  const calls: TextToolCall[] = []
  for (const item of list) {
    const v = isPlainObject(item) && isPlainObject(item.function) ? item.function : item
    if (!isPlainObject(v) || typeof v.name !== 'string' || v.name === '') return undefined
    calls.push({ name: v.name, arguments: argumentsText(v.arguments ?? v.parameters) })
  }
  return calls
}

const FUNCTION_TAG = /<function=([^>\n]+)>([\s\S]*?)(?:<\/function>|$)/g
const PARAMETER_TAG = /<parameter=([^>\n]+)>\n?([\s\S]*?)\n?<\/parameter>/g

/** Qwen3-Coder's XML calls. Values are text; a parameter whose schema says it is not a string is read as JSON. */
function xmlCallsOf(body: string, tools: ToolSchemas): TextToolCall[] | undefined {
  const calls: TextToolCall[] = []
  for (const [, rawName, inner] of body.matchAll(FUNCTION_TAG)) {
    const name = rawName.trim()
    const schema = tools.get(name) as { properties?: Record<string, { type?: unknown }> } | undefined
    const args: Record<string, unknown> = {}
    for (const [, rawParam, value] of inner.matchAll(PARAMETER_TAG)) {
      const param = rawParam.trim()
      const type = schema?.properties?.[param]?.type
      args[param] = type !== undefined && type !== 'string' ? (parseLoose(value) ?? value) : value
    }
    calls.push({ name, arguments: JSON.stringify(args) })
  }
  return calls.length > 0 ? calls : undefined
}

/**
 * A parser for one answer's text. `tools` are the request's: without tools there is nothing to call, and
 * the caller should not make a parser at all.
 */
export function createTextToolCallParser(format: ToolCallFormat, tools: ToolSchemas): TextToolCallParser {
  const markers = MARKERS[format]
  // A bare JSON object as the whole answer is Llama's JSON tool calling.
  const bare = format === 'llama' || format === 'auto'
  let buf = ''
  let mode: 'start' | 'text' | 'call' | 'bare' = bare ? 'start' : 'text'
  let marker: Marker = HERMES
  let json: JsonEnd | undefined
  /** Mistral's `name[ARGS]{…}` form: the name read before the arguments. */
  let callName: string | undefined
  /** Where to look for a closing tag next: the text before it was searched already. */
  let searchFrom = 0
  /** Whitespace (and Llama's `;` between calls) right after a call is not text worth a block of its own. */
  let afterCall = false

  /** Where held text starts: the last position that could begin a marker, or the end when none can. */
  const holdFrom = (s: string): number => {
    let from = s.length
    for (const m of markers) {
      const i = s.lastIndexOf(m.open[0])
      if (i >= 0 && i < from && s.length - i < m.open.length && m.open.startsWith(s.slice(i))) from = i
    }
    return from
  }

  const bodyCalls = (body: string): TextToolCall[] | undefined => {
    if (callName !== undefined) return [{ name: callName, arguments: argumentsText(parseLoose(body) ?? body) }]
    if (marker.kind === 'hermes' && body.trimStart().startsWith('<function=')) return xmlCallsOf(body, tools)
    return callsOf(parseLoose(body))
  }

  const bareCalls = (body: string): TextToolCall[] | undefined => {
    const v = parseLoose(body)
    if (!isPlainObject(v) || typeof v.name !== 'string' || !tools.has(v.name)) return undefined
    if (v.parameters === undefined && v.arguments === undefined) return undefined
    return callsOf(v)
  }

  const lifted = (out: TextPiece[], calls: TextToolCall[]) => {
    for (const call of calls) out.push({ call })
    afterCall = true
  }

  /** Moves what can be decided on from `buf` to `out`; `final` when no more text will come. */
  const drain = (final: boolean): TextPiece[] => {
    const out: TextPiece[] = []
    for (;;) {
      if (afterCall) {
        const rest = buf.replace(/^[\s;]+/, '')
        if (rest === '' && !final) {
          buf = ''
          return out
        }
        buf = rest
        afterCall = false
      }
      if (mode === 'start') {
        const i = buf.search(/\S/)
        if (i >= 0 && buf[i] === '{') {
          mode = 'bare'
          json = new JsonEnd(i)
          continue
        }
        if (i < 0 && !final && buf.length <= MAX_LEADING_SPACE) return out
        mode = 'text'
        continue
      }
      if (mode === 'text') {
        let at = -1
        for (const m of markers) {
          const i = buf.indexOf(m.open)
          if (i >= 0 && (at < 0 || i < at)) {
            at = i
            marker = m
          }
        }
        if (at >= 0) {
          if (at > 0) out.push({ text: buf.slice(0, at) })
          buf = buf.slice(at + marker.open.length)
          mode = 'call'
          json = marker.close ? undefined : new JsonEnd(0)
          callName = undefined
          searchFrom = 0
          continue
        }
        const hold = final ? buf.length : holdFrom(buf)
        if (hold > 0) out.push({ text: buf.slice(0, hold) })
        buf = buf.slice(hold)
        return out
      }
      if (mode === 'call') {
        let bodyStart = 0
        let end: number
        let closeLength = 0
        if (marker.close) {
          end = buf.indexOf(marker.close, searchFrom)
          closeLength = marker.close.length
        } else {
          if (marker.kind === 'mistral' && callName === undefined && /^\s*[^\s[{]/.test(buf)) {
            const args = buf.indexOf(ARGS)
            if (args < 0 && !final && buf.length <= MAX_NAME) return out
            if (args >= 0 && args <= MAX_NAME) {
              callName = buf.slice(0, args).trim()
              json = new JsonEnd(args + ARGS.length)
            }
          }
          end = json!.find(buf)
          if (callName !== undefined) bodyStart = buf.indexOf(ARGS) + ARGS.length
        }
        if (end === -1 && !final) {
          if (marker.close) searchFrom = Math.max(0, buf.length - marker.close.length + 1)
          return out
        }
        // -2: no JSON where it must start, so the marker was text. At the end of the text an open call is tried whole.
        const calls = end === -2 ? undefined : bodyCalls(buf.slice(bodyStart, end >= 0 ? end : buf.length))
        const restFrom = end >= 0 ? end + closeLength : end === -2 ? 0 : buf.length
        if (calls) lifted(out, calls)
        else out.push({ text: marker.open + buf.slice(0, restFrom) })
        buf = buf.slice(restFrom)
        callName = undefined
        // Llama writes several calls as JSON objects one after another.
        mode = calls && bare ? 'start' : 'text'
        continue
      }
      // mode === 'bare'
      const end = json!.find(buf)
      if (end === -1 && !final) return out
      const restFrom = end >= 0 ? end : buf.length
      const calls = bareCalls(buf.slice(0, restFrom))
      if (calls) lifted(out, calls)
      else out.push({ text: buf.slice(0, restFrom) })
      buf = buf.slice(restFrom)
      mode = calls ? 'start' : 'text'
    }
  }

  return {
    push(text) {
      buf += text
      return drain(false)
    },
    end: () => drain(true),
  }
}

/** A whole answer's text split into its text and the calls written in it. */
export function liftTextToolCalls(
  text: string,
  format: ToolCallFormat,
  tools: ToolSchemas,
): { text: string; calls: TextToolCall[] } {
  const parser = createTextToolCallParser(format, tools)
  let rest = ''
  const calls: TextToolCall[] = []
  for (const piece of [...parser.push(text), ...parser.end()]) {
    if (piece.call) calls.push(piece.call)
    else rest += piece.text
  }
  return { text: rest, calls }
}
