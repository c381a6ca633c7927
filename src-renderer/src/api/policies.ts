import type {
  CacheConfig,
  PolicySection,
  PolicyView,
  RedactionConfig,
  RedactionPreview,
} from '../../../src-shared/admin-api'
import type { RedactionTestBody } from '../../../src-shared/contract/policies'
import { getJson, sendJson } from './client'

export interface SectionConfig {
  redaction: RedactionConfig
  cache: CacheConfig
}

/**
 * Every field of each section, as `null`. The forms show a whole section, but a PUT keeps the fields it leaves
 * out, so a field cleared in the form is sent as `null` (removed). Typed as a full record: a field added to a
 * section must be added here.
 */
const CLEARED: { [S in PolicySection]: Record<keyof SectionConfig[S], null> } = {
  redaction: { mode: null, detect: null, custom: null, skipFields: null },
  cache: { mode: null, ttlSeconds: null, maxEntries: null, maxMb: null, semantic: null },
}

/**
 * The gateway-wide redaction and cache sections: read with the routes and keys that override them,
 * saved as the form shows them (applied live, saved to the config file, audited), and the redaction test box.
 */
export const policiesApi = {
  get: <S extends PolicySection>(section: S, signal?: AbortSignal) =>
    getJson<PolicyView<S>>(`/admin/v1/policies/${section}`, signal),
  save: <S extends PolicySection>(section: S, config: SectionConfig[S]) =>
    sendJson<PolicyView<S>>('PUT', `/admin/v1/policies/${section}`, { ...CLEARED[section], ...config }),
  /** Runs the gateway's redactor over `text`: with `config` as drafted, else with the saved section. */
  testRedaction: (text: string, config?: RedactionConfig) =>
    sendJson<RedactionPreview>('POST', '/admin/v1/redaction/test', { text, config } satisfies RedactionTestBody),
}
