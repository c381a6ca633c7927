import { describe, expect, it } from 'vitest'
import { repairArguments } from './arguments.js'
import { createTextToolCallParser, liftTextToolCalls, type TextPiece, type ToolCallFormat } from './text-calls.js'

const TOOLS = new Map<string, unknown>([
  ['read_file', { type: 'object', properties: { path: { type: 'string' } } }],
  ['grep', { type: 'object', properties: { pattern: { type: 'string' }, limit: { type: 'integer' } } }],
])

/** Feeds `text` in pieces of `size` characters: every marker ends up split somewhere. */
function streamed(format: ToolCallFormat, text: string, size: number): TextPiece[] {
  const parser = createTextToolCallParser(format, TOOLS)
  const out: TextPiece[] = []
  for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)))
  out.push(...parser.end())
  return out
}

/** Adjacent text pieces joined, as a client sees them. */
function joined(pieces: TextPiece[]): (string | { name: string; args: unknown })[] {
  const out: (string | { name: string; args: unknown })[] = []
  for (const p of pieces) {
    if (p.call) out.push({ name: p.call.name, args: JSON.parse(p.call.arguments) })
    else if (typeof out.at(-1) === 'string') out[out.length - 1] += p.text
    else out.push(p.text)
  }
  return out
}

describe('text tool calls', () => {
  const hermes =
    'Let me look.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a {b} }.txt", "opts": {"deep": {"x": 1}}}}\n</tool_call>\n' +
    '<tool_call>{"name": "grep", "arguments": {"pattern": "</tool"}}</tool_call>\n'

  it.each([1, 2, 3, 7, 1000])('lifts several Hermes calls split across chunks of %i characters', (size) => {
    expect(joined(streamed('hermes', hermes, size))).toEqual([
      'Let me look.\n',
      { name: 'read_file', args: { path: 'a {b} }.txt', opts: { deep: { x: 1 } } } },
      { name: 'grep', args: { pattern: '</tool' } },
    ])
  })

  it('holds only what could begin a marker', () => {
    const parser = createTextToolCallParser('hermes', TOOLS)
    expect(parser.push('a < b and <tool')).toEqual([{ text: 'a < b and ' }])
    expect(parser.push('s>')).toEqual([{ text: '<tools>' }])
  })

  it('repairs the JSON inside a call and reads Qwen3-Coder XML calls', () => {
    const text =
      "<tool_call>{'name': 'read_file', 'arguments': {'path': 'x.txt',}}</tool_call>" +
      '<tool_call>\n<function=grep>\n<parameter=pattern>\nfoo(\n</parameter>\n<parameter=limit>\n5\n</parameter>\n</function>\n</tool_call>'
    expect(joined(streamed('hermes', text, 4))).toEqual([
      { name: 'read_file', args: { path: 'x.txt' } },
      { name: 'grep', args: { pattern: 'foo(', limit: 5 } },
    ])
  })

  it('lifts Mistral calls, as a list with nested brackets and as name[ARGS]', () => {
    const list =
      '[TOOL_CALLS][{"name": "grep", "arguments": {"pattern": "a]}", "limit": 2}}, {"name": "read_file", "arguments": {"path": "[x]"}}]'
    expect(joined(streamed('mistral', list, 3))).toEqual([
      { name: 'grep', args: { pattern: 'a]}', limit: 2 } },
      { name: 'read_file', args: { path: '[x]' } },
    ])
    expect(joined(streamed('mistral', '[TOOL_CALLS]read_file[ARGS]{"path": "y"}', 5))).toEqual([
      { name: 'read_file', args: { path: 'y' } },
    ])
  })

  it('lifts Llama calls after <|python_tag|> and as a bare JSON answer naming a tool', () => {
    expect(joined(streamed('llama', '<|python_tag|>{"name": "read_file", "parameters": {"path": "z"}}', 2))).toEqual([
      { name: 'read_file', args: { path: 'z' } },
    ])
    const two = '  {"name": "read_file", "parameters": {"path": "a"}}; {"name": "grep", "parameters": {"pattern": "b"}}'
    expect(joined(streamed('llama', two, 6))).toEqual([
      { name: 'read_file', args: { path: 'a' } },
      { name: 'grep', args: { pattern: 'b' } },
    ])
    // JSON that names no tool of the request is an answer, not a call.
    expect(joined(streamed('llama', '{"name": "Ada", "parameters": {}}', 3))).toEqual([
      '{"name": "Ada", "parameters": {}}',
    ])
  })

  it('gives back what does not parse as a call as the text it was', () => {
    expect(liftTextToolCalls('see <tool_call>not json at all</tool_call> ok', 'hermes', TOOLS)).toEqual({
      text: 'see <tool_call>not json at all</tool_call> ok',
      calls: [],
    })
    expect(liftTextToolCalls('[TOOL_CALLS] is a marker', 'auto', TOOLS).text).toBe('[TOOL_CALLS] is a marker')
  })

  it('lifts a call whose closing tag never came', () => {
    expect(liftTextToolCalls('<tool_call>{"name": "grep", "arguments": {"pattern": "x"}', 'auto', TOOLS)).toEqual({
      text: '',
      calls: [{ name: 'grep', arguments: '{"pattern":"x"}' }],
    })
  })
})

describe('repairArguments', () => {
  it('leaves valid objects alone and mends the rest', () => {
    expect(repairArguments('{"a": 1}')).toBeUndefined()
    expect(repairArguments('')).toBe('{}')
    expect(JSON.parse(repairArguments('{"a": 1,}')!)).toEqual({ a: 1 })
    expect(JSON.parse(repairArguments("{'path': 'x'")!)).toEqual({ path: 'x' })
    expect(JSON.parse(repairArguments('"{\\"a\\": 2}"')!)).toEqual({ a: 2 })
    expect(repairArguments('[1, 2]')).toBeUndefined()
  })
})
