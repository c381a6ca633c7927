import { GatewayError } from '../core/errors.js'
import type { Target } from '../routing/resolve.js'

type TargetFilter = (targets: Target[], model: string) => Target[]

/**
 * Keeps only targets whose provider carries one of the allowed tags, so neither the first try nor any
 * fallback can send the prompt somewhere a key or route forbids. A provider without tags (e.g. one found
 * by discovery) qualifies for no restriction. `who` names the restriction in the error (`key 'ci'`).
 */
export function residencyFilter(
  who: string,
  keyTags: readonly string[],
  providerTags: (providerId: string) => readonly string[],
): TargetFilter {
  return (targets, model) => {
    const allowed = targets.filter((t) => providerTags(t.provider.id).some((tag) => keyTags.includes(tag)))
    if (allowed.length > 0) return allowed
    const seen = [...new Set(targets.map((t) => t.provider.id))]
      .map((id) => `${id}: ${providerTags(id).join(', ') || 'no tags'}`)
      .join('; ')
    throw new GatewayError(
      'permission',
      `${who} may only use providers tagged ${keyTags.join(' or ')}, and no provider for '${model}' has one (${seen})`,
      { code: 'residency_violation' },
    )
  }
}

/** Both restrictions (a route's and a key's), each free to refuse. */
export function bothFilters(a: TargetFilter | undefined, b: TargetFilter | undefined): TargetFilter | undefined {
  if (!a || !b) return a ?? b
  return (targets, model) => b(a(targets, model), model)
}
