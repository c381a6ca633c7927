import type { OnExceed } from '../../src-shared/contract/budgets.js'
import type {
  PortalAnswer,
  PortalItem,
  PortalKey,
  PortalPrice,
  PortalWorkspace,
} from '../../src-shared/contract/portal.js'
import { DEFAULT_WORKSPACE } from '../../src-shared/contract/workspaces.js'
import type { GatewayConfig } from '../config/schema.js'
import { keyWorkspace, sharedWith, workspaceIds } from '../config/workspaces.js'
import type { GatewayContext } from '../gateway-context.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { PromptStore } from '../prompts/prompt-store.js'
import type { Principal } from '../team/principal.js'
import { portalSnippets } from './snippets.js'

/** Prompts listed at most: the portal is a catalogue, not an export. */
const MAX_PROMPTS = 500

export interface PortalSources {
  config: GatewayConfig
  gw: GatewayContext
  priceBook: PriceBook | undefined
  prompts: PromptStore | undefined
}

export function workspaceName(cfg: GatewayConfig, id: string): string {
  return cfg.workspaces?.[id]?.name ?? (id === DEFAULT_WORKSPACE ? 'Default' : id)
}

/** The workspaces `principal` may look at, `default` first. */
export function visibleWorkspaces(cfg: GatewayConfig, principal: Principal): PortalWorkspace[] {
  const all = [...workspaceIds(cfg)]
  // A member listed in no workspace is in `default`, as a key without one is.
  const own = principal.workspaces === 'all' ? all : principal.workspaces.filter((id) => all.includes(id))
  const ids = own.length > 0 ? own : [DEFAULT_WORKSPACE]
  return ids
    .sort((a, b) => (a === DEFAULT_WORKSPACE ? -1 : b === DEFAULT_WORKSPACE ? 1 : a.localeCompare(b)))
    .map((id) => ({ id, name: workspaceName(cfg, id) }))
}

/** `provider/model` split when the prefix names a configured provider (as requests address models). */
function splitModel(cfg: GatewayConfig, model: string): { provider?: string; model: string } {
  const slash = model.indexOf('/')
  if (slash > 0 && Object.hasOwn(cfg.providers ?? {}, model.slice(0, slash))) {
    return { provider: model.slice(0, slash), model: model.slice(slash + 1) }
  }
  return { model }
}

function priceOf(src: PortalSources, model: string): PortalPrice | null {
  const m = splitModel(src.config, model)
  const p = src.priceBook?.describe(m.model, m.provider)
  return p ? { inputPerMtokUsd: p.inputPerMtokUsd, outputPerMtokUsd: p.outputPerMtokUsd, source: p.source } : null
}

function windowOf(src: PortalSources, model: string): number | null {
  const m = splitModel(src.config, model)
  const p = m.provider === undefined ? undefined : src.gw.providers.get(m.provider)
  return (p && src.gw.catalog.listedWindow(p, m.model)) ?? src.priceBook?.contextWindow(m.model, m.provider) ?? null
}

/** Whether workspace `ws` may reach `model` (a route's name, `provider/model`, or a bare model name). */
export function reachable(cfg: GatewayConfig, ws: string, model: string): boolean {
  const route = cfg.routes?.[model]
  if (route && Object.hasOwn(cfg.routes ?? {}, model)) return sharedWith(route.workspaces, ws)
  const { provider } = splitModel(cfg, model)
  if (provider !== undefined) return sharedWith(cfg.providers?.[provider]?.workspaces, ws)
  return true
}

function portalKey(k: NonNullable<GatewayConfig['keys']>[number]): PortalKey {
  return {
    name: k.name,
    models: k.models ?? null,
    limits: k.limits ?? null,
    budget: k.budget ? { usd: k.budget.usd, period: k.budget.period } : null,
    expiresAt: k.expiresAt ?? null,
  }
}

/** What workspace `ws` may call, priced, with its keys' limits and snippets for `baseUrl`. */
export async function portalView(
  src: PortalSources,
  ws: string,
  workspaces: PortalWorkspace[],
  baseUrl: string,
): Promise<PortalAnswer> {
  const cfg = src.config
  const keys = (cfg.keys ?? []).filter((k) => keyWorkspace(k) === ws)
  const keysFor = (model: string) => keys.filter((k) => src.gw.policies.mayList(k.name, model)).map((k) => k.name)
  const items: PortalItem[] = []
  for (const [name, r] of Object.entries(cfg.routes ?? {})) {
    if (!sharedWith(r.workspaces, ws)) continue
    const first = r.targets[0].model
    items.push({
      kind: 'route',
      id: name,
      model: name,
      detail: r.targets.map((t) => t.model).join(', '),
      endpoint: '/v1/chat/completions',
      price: priceOf(src, first),
      contextWindow: r.targets[0].contextWindow ?? windowOf(src, first),
      keys: keysFor(name),
      snippets: portalSnippets(baseUrl, 'route', name),
    })
  }
  for (const p of src.gw.providers.values()) {
    if (!sharedWith(cfg.providers?.[p.id]?.workspaces, ws)) continue
    for (const m of src.gw.catalog.modelsOf(p)) {
      const id = `${p.id}/${m.id}`
      items.push({
        kind: 'model',
        id,
        model: id,
        detail: p.id,
        endpoint: '/v1/chat/completions',
        price: priceOf(src, id),
        contextWindow: m.contextWindow ?? src.priceBook?.contextWindow(m.id, p.id) ?? null,
        keys: keysFor(id),
        snippets: portalSnippets(baseUrl, 'model', id),
      })
    }
  }
  if (src.prompts) {
    // Only the workspace's own prompts: a key runs no other workspace's prompt endpoint.
    for (const prompt of (await src.prompts.listPrompts({ workspaces: [ws], limit: MAX_PROMPTS })).items) {
      if (prompt.model !== null && !reachable(cfg, ws, prompt.model)) continue
      items.push({
        kind: 'prompt',
        id: `prompt:${prompt.name}`,
        model: prompt.model,
        detail: prompt.name,
        endpoint: `/v1/prompts/${encodeURIComponent(prompt.name)}/run`,
        price: prompt.model === null ? null : priceOf(src, prompt.model),
        contextWindow: prompt.model === null ? null : windowOf(src, prompt.model),
        keys: prompt.model === null ? [] : keysFor(prompt.model),
        snippets: portalSnippets(baseUrl, 'prompt', prompt.model, prompt.name),
      })
    }
  }
  const own = cfg.workspaces?.[ws]
  return {
    workspace: { id: ws, name: workspaceName(cfg, ws) },
    workspaceBudget: own?.budget
      ? {
          usd: own.budget.usd,
          period: own.budget.period,
          onExceed: (own.budget.onExceed ?? 'block') as OnExceed,
          spent: src.gw.policies.workspaces.spent(ws) ?? 0,
        }
      : null,
    workspaceLimits: own?.limits ?? null,
    workspaces,
    baseUrl,
    keys: keys.map(portalKey),
    items,
    total: items.length,
  }
}
