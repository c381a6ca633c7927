import { GatewayError } from '../core/errors.js'
import type { Target } from '../routing/resolve.js'

/**
 * Keeps only targets whose provider carries one of the key's tags, so neither the first try nor any
 * fallback can send the prompt somewhere the key forbids. A provider without tags (e.g. one found by
 * discovery) qualifies for no restricted key.
 */
export function residencyFilter(
  keyName: string,
  keyTags: readonly string[],
  providerTags: (providerId: string) => readonly string[],
): (targets: Target[], model: string) => Target[] {
  return (targets, model) => {
    const allowed = targets.filter((t) => providerTags(t.provider.id).some((tag) => keyTags.includes(tag)))
    if (allowed.length > 0) return allowed
    const seen = [...new Set(targets.map((t) => t.provider.id))]
      .map((id) => `${id}: ${providerTags(id).join(', ') || 'no tags'}`)
      .join('; ')
    throw new GatewayError(
      'permission',
      `key '${keyName}' may only use providers tagged ${keyTags.join(' or ')}, and no provider for '${model}' has one (${seen})`,
      { code: 'residency_violation' },
    )
  }
}
