import { describe, expect, it } from 'vitest'
import type { ChatChunk } from '../core/chat-types.js'
import { callAnswer } from './answer-hooks.js'
import type { CallState, Stage } from './stage.js'

const chunk = (content: string): ChatChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
})
const texts = (out: ChatChunk | ChatChunk[]) =>
  (Array.isArray(out) ? out : [out]).map((c) => c.choices[0]?.delta.content)
const state = {} as CallState

describe('callAnswer', () => {
  it('has no chunk chain when no stage looks at chunks', () => {
    const stages: Stage[] = [{ name: 'a' }, { name: 'b', answer: () => ({ onDelivered: () => undefined }) }]
    expect(callAnswer(stages, 2, state).chunks).toBeUndefined()
  })

  it('runs hooks in reverse stage order, and only for the stages reached', () => {
    const seen: string[] = []
    const tag = (name: string): Stage => ({
      name,
      answer: () => ({
        onChunk: (c) => {
          seen.push(name)
          return chunk(`${c.choices[0]?.delta.content}${name}`)
        },
      }),
    })
    const answer = callAnswer([tag('a'), tag('b'), tag('c')], 2, state)
    expect(texts(answer.chunks!.push(chunk('>')))).toEqual(['>ba'])
    expect(seen).toEqual(['b', 'a'])
  })

  it('passes what a hook held back at the end through the hooks after it', () => {
    let held: ChatChunk | undefined
    const holding: Stage = {
      name: 'holds',
      answer: () => ({
        onChunk: (c) => {
          held = c
          return []
        },
        onStreamEnd: () => (held ? [held] : undefined),
      }),
    }
    const upper: Stage = {
      name: 'upper',
      answer: () => ({ onChunk: (c) => chunk(c.choices[0]!.delta.content!.toUpperCase()) }),
    }
    // Answer order: `holds` (second stage) first, then `upper`.
    const chain = callAnswer([upper, holding], 2, state).chunks!
    expect(texts(chain.push(chunk('x')))).toEqual([])
    expect(texts(chain.end())).toEqual(['X'])
  })

  it('stops at the first complete-answer hook that asks for a retry', () => {
    const ran: string[] = []
    const stage = (name: string, verdict?: 'retry'): Stage => ({
      name,
      answer: () => ({
        onComplete: () => {
          ran.push(name)
          return verdict
        },
      }),
    })
    const answer = callAnswer([stage('first'), stage('second', 'retry'), stage('third')], 3, state)
    expect(answer.complete({} as never)).toBe('retry')
    expect(ran).toEqual(['third', 'second'])
  })
})
