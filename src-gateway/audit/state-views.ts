import type { SecretLookup } from '../config/load.js'
import { maskSecret } from '../config/mask.js'
import type { GatewayConfig } from '../config/schema.js'
import { referencedSecrets, sealPlainSecrets } from '../config/secret-fields.js'
import type { PromptStore } from '../prompts/prompt-store.js'

/**
 * The config as the audit diffs it. Credentials appear only as their `${…}` references (plain ones in
 * a hand-edited file are replaced the way the ConfigStore seals them), plus a `secrets` section holding
 * a masked hint (`sy-…wxyz`) of each referenced secret, so a rotation or a new provider key shows as a
 * change without the value. Keys are listed by name, so one key's edit is one path, not an array index.
 */
export function configView(raw: GatewayConfig, secrets: SecretLookup): Record<string, unknown> {
  const { raw: sealed, values } = sealPlainSecrets(raw)
  const hints: Record<string, string | null> = {}
  for (const name of [...referencedSecrets(sealed)].sort()) {
    const value = values.get(name) ?? secrets.get(name)
    hints[name] = value === undefined ? null : maskSecret(value)
  }
  // Always present, even empty, so the first key or secret shows as its own path, not a whole section.
  const keys = Object.fromEntries((sealed.keys ?? []).map(({ name, ...rest }, i) => [name ?? String(i), rest]))
  return { ...sealed, keys, secrets: hints }
}

/** One prompt as the audit diffs it: its newest version's content and where its labels point. */
export async function promptView(store: PromptStore, name: string): Promise<Record<string, unknown> | undefined> {
  const [latest, labels] = await Promise.all([store.latestVersion(name), store.listLabels(name)])
  if (!latest) return undefined
  return {
    version: latest.version,
    note: latest.note,
    ...latest.content,
    labels: Object.fromEntries(labels.map((l) => [l.label, l.target])),
  }
}

/** Every prompt in a line: its version count and labels (what a restore replaces). */
export async function promptsView(store: PromptStore): Promise<Record<string, unknown>> {
  const view: Record<string, unknown> = {}
  for (const { name } of await store.names()) {
    const summary = await store.getSummary(name)
    if (!summary) continue
    view[name] = {
      version: summary.latestVersion,
      labels: Object.fromEntries(summary.labels.map((l) => [l.label, l.target])),
    }
  }
  return view
}
