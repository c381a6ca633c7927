import type { ChatChunk } from '../core/chat-types.js'
import type { PlannedTarget } from '../routing/plan.js'
import type { AnswerHooks, CallState, CompleteAnswer, Stage } from './stage.js'

/** Streamed chunks through the hooks that asked to see them, in order. */
export interface ChunkChain {
  /** One upstream chunk: what goes on to the encoder (one chunk, or several, or none). */
  push(chunk: ChatChunk): ChatChunk | ChatChunk[]
  /** The upstream ended: what the hooks still held, passed on through the hooks after each. */
  end(): ChatChunk[]
}

/** What one call's answer goes through, as its stages asked for it: made once per call. */
export interface CallAnswer {
  /** Undefined when no stage looks at streamed chunks: a same-dialect stream then passes through untouched. */
  chunks: ChunkChain | undefined
  /** Runs the hooks on a complete answer; 'retry' when one of them asks for the call to be dispatched again. */
  complete(answer: CompleteAnswer): 'retry' | undefined
  delivered(target: PlannedTarget): void
}

/** A call no stage asked to see the answer of (the common case): nothing to make per call. */
const UNTOUCHED: CallAnswer = { chunks: undefined, complete: () => undefined, delivered: () => undefined }

/** The answer hooks of the first `reached` stages, in answer order (the reverse of the stages'). */
export function callAnswer(stages: readonly Stage[], reached: number, state: CallState): CallAnswer {
  let hooks: AnswerHooks[] | undefined
  for (let i = reached - 1; i >= 0; i--) {
    const h = stages[i].answer?.(state)
    if (!h) continue
    hooks ??= []
    hooks.push(h)
  }
  if (!hooks) return UNTOUCHED
  const all = hooks
  return {
    chunks: chunkChain(all),
    complete(answer) {
      for (const h of all) if (h.onComplete?.(answer) === 'retry') return 'retry'
      return undefined
    },
    delivered(target) {
      for (const h of all) h.onDelivered?.(target)
    },
  }
}

function chunkChain(hooks: AnswerHooks[]): ChunkChain | undefined {
  const chain = hooks.filter((h) => h.onChunk || h.onStreamEnd)
  if (chain.length === 0) return undefined
  /** `chunks` through the hooks from `from` on. */
  const through = (from: number, chunks: ChatChunk | ChatChunk[]): ChatChunk | ChatChunk[] => {
    let out = chunks
    for (let i = from; i < chain.length; i++) {
      const onChunk = chain[i].onChunk
      if (!onChunk) continue
      if (!Array.isArray(out)) {
        out = onChunk(out)
        continue
      }
      const next: ChatChunk[] = []
      for (const c of out) {
        const r = onChunk(c)
        if (Array.isArray(r)) next.push(...r)
        else next.push(r)
      }
      out = next
    }
    return out
  }
  // The usual chain is one hook (restoring placeholders): its chunks go to it directly.
  const only = chain.length === 1 ? chain[0].onChunk?.bind(chain[0]) : undefined
  return {
    push: only ?? ((chunk) => through(0, chunk)),
    end() {
      const out: ChatChunk[] = []
      for (let i = 0; i < chain.length; i++) {
        const held = chain[i].onStreamEnd?.()
        if (!held?.length) continue
        const passed = through(i + 1, held)
        if (Array.isArray(passed)) out.push(...passed)
        else out.push(passed)
      }
      return out
    },
  }
}
