import { describe, expect, it } from 'vitest'
import { findVariables, splitPlaceholders } from './variables'

describe('prompt variables in the UI', () => {
  it('finds each variable once with digits, dots and spaces, like the gateway', () => {
    expect(findVariables(['{{ name }} {{ticket_2}}', '{{name}} {{a.b}} {{bad name}}'])).toEqual([
      'name',
      'ticket_2',
      'a.b',
    ])
  })

  it('splits text around placeholders for highlighting', () => {
    expect(splitPlaceholders('Hi {{name}}!')).toEqual([
      { text: 'Hi ', variable: null },
      { text: '{{name}}', variable: 'name' },
      { text: '!', variable: null },
    ])
  })
})
