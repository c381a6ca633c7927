import { describe, expect, it } from 'vitest'
import { findVariables, renderMessages, renderText } from './template.js'

describe('prompt templates', () => {
  it('finds each variable once, in order, with digits, underscores, dots and inner spaces', () => {
    expect(findVariables(['Hi {{ name }}, re {{ticket_2}}', '{{name}} {{user.city}} {{ not valid }} {{}}'])).toEqual([
      'name',
      'ticket_2',
      'user.city',
    ])
  })

  it('renders strings as is, other values as JSON, and dotted names as paths or literal keys', () => {
    const vars = { name: 'Ada', n: 3, tags: ['a'], user: { city: 'Paris' }, 'row.id': 'r1' }
    expect(renderText('{{name}}/{{n}}/{{tags}}/{{user.city}}/{{row.id}}', vars)).toBe('Ada/3/["a"]/Paris/r1')
  })

  it('treats an empty string as given and reports missing or null variables once each', () => {
    const out = renderMessages(
      [
        { role: 'system', content: 'Tone: {{tone}}' },
        { role: 'user', content: '{{q}} {{q}} {{extra}} {{blank}}' },
      ],
      { tone: null, blank: '' },
    )
    expect(out.missing).toEqual(['tone', 'q', 'extra'])
    expect(out.messages[1].content).toBe('{{q}} {{q}} {{extra}} ')
  })
})
