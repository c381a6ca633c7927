import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, parseConfigText } from '../../src-gateway/config/load.js'
import type { GatewayConfig } from '../../src-gateway/config/schema.js'
import { configProblems } from '../../src-gateway/config/validate.js'
import { workspaceIds } from '../../src-gateway/config/workspaces.js'
import { isPlainObject } from '../../src-gateway/core/json-values.js'
import { promptsSectionProblems } from '../../src-gateway/prompts/config-import.js'

/** The docs gateway's config text, its upstreams still at the placeholder the test replaces. */
export const DOCS_GATEWAY_YAML = readFileSync(join(import.meta.dirname, 'docs-gateway.yaml'), 'utf8')

const docsProviders = () => (parseConfigText(DOCS_GATEWAY_YAML, 'yaml') as { providers: unknown }).providers

/**
 * Rule 2: a yaml block is a Switchyard config file, or some of its top-level sections, checked by the
 * gateway's own parser and validator (the `prompts:` section by the prompt importer's). A block without
 * `providers:` (routes, keys) is checked against the providers the docs name, those of docs-gateway.yaml.
 */
export function configBlockProblems(text: string): string[] {
  let data: unknown
  try {
    data = parseConfigText(text, 'yaml')
  } catch (err) {
    if (err instanceof ConfigError) return [err.message]
    throw err
  }
  if (!isPlainObject(data)) return ['is not a config file (a mapping of top-level sections)']
  const config = 'providers' in data ? data : { ...data, providers: docsProviders() }
  const prompts = promptsSectionProblems(data.prompts, workspaceIds(data as Pick<GatewayConfig, 'workspaces'>))
  return [...configProblems(config), ...prompts].map((p) => `${p.path}: ${p.message}`)
}
