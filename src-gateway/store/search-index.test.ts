import { describe, expect, it } from 'vitest'
import { openDatabase } from './db.js'
import { bodyText, searchIndexer } from './search-index.js'

describe('bodyText', () => {
  it('keeps the string values of a body and leaves out payloads, signatures and data URLs', () => {
    const body = JSON.stringify({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'describe the zebrafish' },
            { type: 'image', data: 'QUJD' },
          ],
        },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'fins', signature: 'c2ln' }] },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,QUJD' } }] },
      ],
      max_tokens: 100,
    })
    expect(bodyText(body)).toBe('gpt-4o user text describe the zebrafish image assistant thinking fins user image_url')
  })

  it('indexes nothing of a sealed body, and a cut (no longer JSON) body as its text', () => {
    expect(bodyText('enc:v1:abc')).toBeNull()
    expect(bodyText(null)).toBeNull()
    expect(bodyText('{"messages":[{"content":"cut her')).toBe('{"messages":[{"content":"cut her')
  })

  it('bounds each value and the whole body, and walks deep bodies without recursion', () => {
    expect(bodyText(JSON.stringify({ a: 'x'.repeat(5000) }))).toHaveLength(2000)
    expect(bodyText(JSON.stringify(Array.from({ length: 100 }, () => 'y'.repeat(2000))))!.length).toBe(32 * 1024)
    let deep = '"bottom"'
    for (let i = 0; i < 50_000; i++) deep = `[${deep}]`
    expect(bodyText(deep)).toBe('bottom')
  })
})

describe('searchIndexer', () => {
  it("makes a row findable by its metadata and its bodies' words", () => {
    const db = openDatabase(':memory:')
    const index = searchIndexer(db)
    const row = { request_id: 'req_1', route: 'fast', requested_model: 'fast', model: 'gpt-4o', error: null }
    index(7, row, '{"messages":[{"content":"quokka"}]}', '{"content":"wombat"}')
    const match = (q: string) =>
      db.prepare('SELECT rowid FROM request_logs_fts WHERE request_logs_fts MATCH ?').pluck().all(q)
    expect(match('quokka')).toEqual([7])
    expect(match('wombat')).toEqual([7])
    expect(match('"req_1"')).toEqual([7])
    expect(match('messages')).toEqual([])
    db.close()
  })
})
