/**
 * The text a streamed response carried, joined from its stored SSE body, so the drawer can show the
 * answer instead of hundreds of chunk lines. Knows OpenAI chat chunks and Anthropic content deltas.
 */
export function joinStreamText(body: string): { text: string; events: number } | null {
  if (!/^(data|event):/m.test(body)) return null
  let text = ''
  let events = 0
  for (const line of body.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue
    const data = line.slice(5).trim()
    if (!data || data === '[DONE]') continue
    events++
    try {
      const ev = JSON.parse(data)
      const piece = ev.choices?.[0]?.delta?.content ?? ev.delta?.text
      if (typeof piece === 'string') text += piece
    } catch {
      // A line that is not JSON adds nothing to the text but still counts as an event.
    }
  }
  return { text, events }
}
