import {
  compileBlockedPattern,
  DEFAULT_ACTION,
  DEFAULT_INJECTION_THRESHOLD,
  DEFAULT_SCHEMA_RETRIES,
  type GuardrailAction,
  type GuardrailsConfig,
  type InputCheck,
  type OutputCheck,
  validateGuardrails,
} from '../../config/policies/guardrails.js'
import type { ConfigProblem } from '../../config/validate.js'
import type { ChatMessage, ChatRequest, Role } from '../../core/chat-types.js'
import type { GuardrailHit } from '../../core/log-event.js'
import type { SafeRegex } from '../../core/safe-regex.js'
import { type InjectionResult, injectionScore } from './injection.js'
import { compileJsonOutputCheck } from './json-output.js'
import { createStreamMatcher } from './stream-matcher.js'

/** Thrown by `compileGuardrails` for a config `validateGuardrails` rejects. */
export class GuardrailsConfigError extends Error {
  override name = 'GuardrailsConfigError'
  constructor(readonly problems: ConfigProblem[]) {
    super(`guardrails are invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`)
  }
}

/** Follows a streamed answer: `push` each text delta, then `end` once the answer is complete. */
export interface OutputWatcher {
  /** A blocking hit as soon as a `block` blocked pattern matches the answer so far; then nothing more. */
  push(delta: string): GuardrailHit | undefined
  /** The output checks not already reported by `push`, over the whole answer. */
  end(outputTokens?: number): GuardrailHit[]
}

/** One route's compiled guardrails: regexes and schemas are compiled once, checks run per call. */
export interface Guardrails {
  readonly hasInput: boolean
  readonly hasOutput: boolean
  /** How many extra calls to make when an answer fails a json_schema check (0 without one). */
  readonly schemaRetries: number
  /** Input checks, in config order. `promptTokens` is called at most once, and only for a max_tokens check. */
  checkInput(req: ChatRequest, promptTokens: () => number): GuardrailHit[]
  /** Output checks over a complete answer, in config order. */
  checkOutput(text: string, outputTokens: number | undefined): GuardrailHit[]
  outputWatcher(): OutputWatcher
}

interface RuleBase {
  type: (InputCheck | OutputCheck)['type']
  name: string
  action: GuardrailAction
}
type MaxTokensRule = RuleBase & { type: 'max_tokens'; max: number }
type PatternRule = RuleBase & { type: 'blocked_patterns'; patterns: SafeRegex[] }
type InjectionRule = RuleBase & { type: 'prompt_injection'; threshold: number }
type SchemaRule = RuleBase & { type: 'json_schema'; failure: (text: string) => string | undefined; retries: number }
type InputRule = MaxTokensRule | PatternRule | InjectionRule
type OutputRule = MaxTokensRule | PatternRule | SchemaRule

/** The first hit that refuses the call, if any. */
export function blocking(hits: GuardrailHit[]): GuardrailHit | undefined {
  return hits.find((h) => h.action === 'block')
}

// Details land in logs and error messages: say what matched, never echo a long stretch of user text.
const MAX_DETAIL = 120
const cap = (s: string, n = MAX_DETAIL) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const showPattern = (re: SafeRegex) => `/${cap(re.source, 60)}/`

const hit = (stage: GuardrailHit['stage'], rule: RuleBase, detail: string, score?: number): GuardrailHit => ({
  stage,
  type: rule.type,
  check: rule.name,
  action: rule.action,
  ...(score === undefined ? {} : { score }),
  detail: cap(detail),
})

/** A message's text: its string content or its text parts (images and other parts carry no text to check). */
function messageText(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content
  if (!Array.isArray(m.content)) return ''
  return m.content.flatMap((p) => (p.type === 'text' && typeof p.text === 'string' ? [p.text] : [])).join('\n')
}

interface Segment {
  role: Role
  text: string
}

// What the caller controls. System prompts are usually the app's own, so only blocked patterns read them;
// assistant turns are the model's earlier answers.
const CALLER_ROLES: ReadonlySet<Role> = new Set(['user', 'tool'])
const SYSTEM_ROLES: ReadonlySet<Role> = new Set(['system', 'developer'])

function compileBase(c: InputCheck | OutputCheck): Omit<RuleBase, 'type'> {
  return { name: c.name ?? c.type, action: c.action ?? DEFAULT_ACTION }
}

type SharedCheck = Extract<InputCheck | OutputCheck, { type: 'max_tokens' | 'blocked_patterns' }>

function compileShared(c: SharedCheck): MaxTokensRule | PatternRule {
  if (c.type === 'max_tokens') return { ...compileBase(c), type: c.type, max: c.max }
  return {
    ...compileBase(c),
    type: c.type,
    patterns: c.patterns.map((p) => compileBlockedPattern(p, c.caseSensitive)),
  }
}

function compileInput(c: InputCheck): InputRule {
  if (c.type === 'prompt_injection')
    return { ...compileBase(c), type: c.type, threshold: c.threshold ?? DEFAULT_INJECTION_THRESHOLD }
  return compileShared(c)
}

function compileOutput(c: OutputCheck): OutputRule {
  if (c.type === 'json_schema')
    return {
      ...compileBase(c),
      type: c.type,
      failure: compileJsonOutputCheck(c.schema),
      retries: c.retries ?? DEFAULT_SCHEMA_RETRIES,
    }
  return compileShared(c)
}

const patternHit = (stage: GuardrailHit['stage'], rule: PatternRule, re: SafeRegex, where: string) =>
  hit(stage, rule, `matched blocked pattern ${showPattern(re)} in ${where}`)

/** Output tokens when the caller has no count: about four characters a token, labelled as such. */
const estimateTokens = (text: string) => Math.ceil(text.length / 4)

function runOutput(rules: OutputRule[], text: string, outputTokens: number | undefined, skip?: OutputRule) {
  const hits: GuardrailHit[] = []
  for (const rule of rules) {
    if (rule === skip) continue
    if (rule.type === 'max_tokens') {
      const n = outputTokens ?? estimateTokens(text)
      const count = outputTokens === undefined ? `about ${n} tokens (estimated from its length)` : `${n} tokens`
      if (n > rule.max) hits.push(hit('output', rule, `answer has ${count}, over the limit of ${rule.max}`))
    } else if (rule.type === 'blocked_patterns') {
      const re = rule.patterns.find((p) => p.test(text))
      if (re) hits.push(patternHit('output', rule, re, 'the answer'))
    } else {
      const failure = rule.failure(text)
      if (failure) hits.push(hit('output', rule, failure))
    }
  }
  return hits
}

/** Compiles a route's guardrails; throws `GuardrailsConfigError` when `validateGuardrails` finds problems. */
export function compileGuardrails(config: GuardrailsConfig): Guardrails {
  const problems = validateGuardrails(config)
  if (problems.length > 0) throw new GuardrailsConfigError(problems)
  const input = (config.input ?? []).map(compileInput)
  const output = (config.output ?? []).map(compileOutput)
  const schemaRules = output.filter((r): r is SchemaRule => r.type === 'json_schema')
  const streamBlocked = output.filter((r): r is PatternRule => r.type === 'blocked_patterns' && r.action === 'block')

  return {
    hasInput: input.length > 0,
    hasOutput: output.length > 0,
    schemaRetries: Math.max(0, ...schemaRules.map((r) => r.retries)),

    checkInput(req, promptTokens) {
      const segments: Segment[] = req.messages.map((m) => ({ role: m.role, text: messageText(m) }))
      let tokens: number | undefined
      let injection: (InjectionResult & { role: Role }) | undefined
      const hits: GuardrailHit[] = []
      for (const rule of input) {
        if (rule.type === 'max_tokens') {
          tokens ??= promptTokens()
          if (tokens > rule.max)
            hits.push(hit('input', rule, `prompt has ${tokens} tokens, over the limit of ${rule.max}`))
        } else if (rule.type === 'blocked_patterns') {
          for (const s of segments) {
            if (!CALLER_ROLES.has(s.role) && !SYSTEM_ROLES.has(s.role)) continue
            const re = rule.patterns.find((p) => p.test(s.text))
            if (!re) continue
            hits.push(patternHit('input', rule, re, `${s.role} message`))
            break
          }
        } else {
          // Scored per message, so one long conversation does not add up unrelated weak signals.
          injection ??= segments
            .filter((s) => CALLER_ROLES.has(s.role))
            .map((s) => ({ ...injectionScore(s.text), role: s.role }))
            .reduce((best, r) => (r.score > best.score ? r : best), { score: 0, signals: [], role: 'user' })
          if (injection.signals.length > 0 && injection.score >= rule.threshold) {
            const detail = `prompt-injection score ${injection.score} ≥ ${rule.threshold} in ${injection.role} message: ${injection.signals.join(', ')}`
            hits.push(hit('input', rule, detail, injection.score))
          }
        }
      }
      return hits
    },

    checkOutput(text, outputTokens) {
      return runOutput(output, text, outputTokens)
    },

    outputWatcher() {
      const matcher =
        streamBlocked.length > 0
          ? createStreamMatcher(
              streamBlocked.flatMap((rule) => rule.patterns.map((re) => ({ re, value: { rule, re } }))),
            )
          : undefined
      const parts: string[] = []
      let fired: PatternRule | undefined
      return {
        push(delta) {
          parts.push(delta)
          if (fired || !matcher) return undefined
          const found = matcher.push(delta)
          if (!found) return undefined
          fired = found.rule
          return patternHit('output', found.rule, found.re, 'the answer')
        },
        end(outputTokens) {
          return runOutput(output, parts.join(''), outputTokens, fired)
        },
      }
    },
  }
}
