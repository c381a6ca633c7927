import type {
  CacheConfig,
  PolicySection,
  PolicyView,
  RedactionConfig,
  RedactionPreview,
} from '../../../src-shared/admin-api'
import { getJson, sendJson } from './client'

interface SectionConfig {
  redaction: RedactionConfig
  cache: CacheConfig
}

/**
 * The gateway-wide redaction and cache sections: read with the routes and keys that override them,
 * replaced as a whole (applied live, saved to the config file, audited), and the redaction test box.
 */
export const policiesApi = {
  get: <S extends PolicySection>(section: S) => getJson<PolicyView<S>>(`/admin/v1/policies/${section}`),
  save: <S extends PolicySection>(section: S, config: SectionConfig[S]) =>
    sendJson<PolicyView<S>>('PUT', `/admin/v1/policies/${section}`, config),
  /** Runs the gateway's redactor over `text`: with `config` as drafted, else with the saved section. */
  testRedaction: (text: string, config?: RedactionConfig) =>
    sendJson<RedactionPreview>('POST', '/admin/v1/redaction/test', { text, config }),
}
