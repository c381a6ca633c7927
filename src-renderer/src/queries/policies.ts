import { queryOptions } from '@tanstack/react-query'
import type { PolicySection, PolicyView, RedactionConfig } from '../../../src-shared/admin-api'
import { policiesApi, type SectionConfig } from '../api/policies'
import { queryClient } from '../api/query-client'

export const policyKey = (section: PolicySection) => ['policies', section] as const
export const redactionTestKey = (text: string, config: RedactionConfig) =>
  ['policies', 'redaction', 'test', text, config] as const

/** A gateway-wide section (redaction or cache): its config, defaults and the routes and keys that override it. */
export const policyQuery = <S extends PolicySection>(section: S) =>
  queryOptions({ queryKey: policyKey(section), queryFn: ({ signal }) => policiesApi.get(section, signal) })

/**
 * What the gateway's redactor makes of `text` with `config` as drafted. It changes nothing, so it is a read:
 * the cache answers a text and draft already tried, and only the newest question's answer is shown.
 */
export const redactionTestQuery = (text: string, config: RedactionConfig) =>
  queryOptions({
    queryKey: redactionTestKey(text, config),
    queryFn: () => policiesApi.testRedaction(text, config),
  })

/** Saves a section as the form shows it; the gateway's answer (the section as it now is) goes into the cache. */
export async function savePolicy<S extends PolicySection>(
  section: S,
  config: SectionConfig[S],
): Promise<PolicyView<S>> {
  const saved = await policiesApi.save(section, config)
  queryClient.setQueryData(policyQuery(section).queryKey, saved)
  return saved
}
