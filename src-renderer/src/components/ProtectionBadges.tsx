import type { GuardrailHit } from '../../../src-shared/admin-api'
import './protection.css'

type Action = GuardrailHit['action']

/** What each guardrail action did, in words and a symbol, so the outcome never rests on colour alone. */
export const GUARDRAIL_ACTION: Record<Action, { label: string; badge: string; explain: string }> = {
  block: { label: '✘ blocked', badge: 'badge-err', explain: 'A guardrail refused this call' },
  flag: { label: '⚑ flagged', badge: 'badge-warn', explain: 'A guardrail let this call through, marked' },
  log: { label: '• logged', badge: '', explain: 'A guardrail check fired and was only recorded' },
}

export function GuardrailBadge({ action }: { action: Action }) {
  const a = GUARDRAIL_ACTION[action]
  return (
    <span className={`badge ${a.badge}`} title={a.explain} data-testid="guardrail-badge" data-action={action}>
      {a.label}
    </span>
  )
}

export function CacheHitBadge() {
  return (
    <span
      className="badge badge-cache"
      title="Answered from the gateway's cache: no provider was called"
      data-testid="cache-badge"
    >
      ↺ cache hit
    </span>
  )
}

export function RedactedBadge({ title }: { title: string }) {
  return (
    <span className="badge badge-redacted" title={title} data-testid="redacted-badge">
      redacted
    </span>
  )
}
