import type { RecordedRequest, ScriptedHandler } from './upstreams.js'
import { sendJson } from './upstreams.js'

// An echo Gemini upstream with the same contract as mock-upstream.mjs: reply = "Echo: " + last user text.

function lastUserText(body: { contents?: { role: string; parts: { text?: string }[] }[] }): string {
  const user = [...(body.contents ?? [])].reverse().find((c) => c.role === 'user')
  return (user?.parts ?? []).map((p) => p.text ?? '').join('')
}

function usage(text: string) {
  return { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 + text.length * 0 }
}

export const geminiGenerate: ScriptedHandler = (req: RecordedRequest, res) => {
  const text = `Echo: ${lastUserText(req.body as never)}`
  sendJson(res, 200, {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: usage(text),
    modelVersion: 'mock-gemini',
  })
}

export const geminiStream: ScriptedHandler = (req: RecordedRequest, res) => {
  const text = `Echo: ${lastUserText(req.body as never)}`
  const half = Math.floor(text.length / 2)
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  res.write(
    `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: text.slice(0, half) }] }, index: 0 }] })}\r\n\r\n`,
  )
  res.write(
    `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: text.slice(half) }] }, finishReason: 'STOP', index: 0 }], usageMetadata: usage(text) })}\r\n\r\n`,
  )
  res.end()
}
