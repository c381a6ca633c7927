import { describe, expect, it } from 'vitest'
import { DEFAULT_SESSION_FILTERS, sessionFiltersFrom, toolLabel, toSessionsQuery } from './session-filters'

describe('session filters', () => {
  it('come from the URL, an unknown range being the default one', () => {
    expect(sessionFiltersFrom(new URLSearchParams('range=30d&project=api&tool=codex'))).toEqual({
      range: '30d',
      project: 'api',
      key: '',
      tool: 'codex',
    })
    expect(sessionFiltersFrom(new URLSearchParams('range=toString')).range).toBe(DEFAULT_SESSION_FILTERS.range)
  })

  it('become a query ending now, without blank filters', () => {
    const now = Date.parse('2026-12-04T12:00:00Z')
    expect(toSessionsQuery({ range: '24h', project: '  ', key: ' ci ', tool: '' }, now)).toEqual({
      from: '2026-12-03T12:00:00.000Z',
      project: undefined,
      key: 'ci',
      tool: undefined,
    })
  })

  it('name the tools the gateway knows, and show any other as logged', () => {
    expect([toolLabel('claude-code'), toolLabel('codex'), toolLabel('aider'), toolLabel(null)]).toEqual([
      'Claude Code',
      'Codex',
      'aider',
      '—',
    ])
  })
})
