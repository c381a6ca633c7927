// The gateway's models in Ollama's listing shapes (/api/tags, /api/show): every route alias and
// every `provider/model` id, so an Ollama-only client can pick any of them.

import { createHash } from 'node:crypto'
import type { RouteConfig } from '../../config/schema.js'
import type { ModelInfo } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { GatewayContext } from '../../gateway-context.js'
import type { RuntimeProvider } from '../../routing/providers.js'
import { resolveModel } from '../../routing/resolve.js'
import { routeWindow, targetWindow } from '../../routing/target-window.js'
import { DEFAULT_CONTEXT_LENGTH, traitsOf } from './model-traits.js'

interface ServedModel {
  name: string
  /** The upstream model that answers for this name (a route's first target). */
  upstreamModel: string
  provider: RuntimeProvider
  info?: ModelInfo
  /** The route this name is, if it is one: its window is its targets'. */
  route?: RouteConfig
}

/** Local servers hold GGUF files; for cloud models there is no file, and Ollama clients only display this. */
const FORMAT_BY_LOCALITY = { local: 'gguf', remote: 'api' }

function infoOf(gw: GatewayContext, provider: RuntimeProvider, model: string): ModelInfo | undefined {
  return gw.catalog.modelsOf(provider).find((m) => m.id === model)
}

/** Whether the caller may list a model name: a key by its globs and workspace, a UI call by its workspace. */
export type MayList = (model: string) => boolean

function servedModels(gw: GatewayContext, mayList: MayList): ServedModel[] {
  return allServedModels(gw).filter((m) => mayList(m.name))
}

function allServedModels(gw: GatewayContext): ServedModel[] {
  const out: ServedModel[] = []
  for (const [alias, route] of Object.entries(gw.routes)) {
    const target = route.targets[0].model
    const slash = target.indexOf('/')
    const provider = gw.providers.get(target.slice(0, slash))
    if (!provider) continue
    const upstreamModel = target.slice(slash + 1)
    out.push({ name: alias, upstreamModel, provider, info: infoOf(gw, provider, upstreamModel), route })
  }
  for (const provider of gw.providers.values()) {
    for (const info of gw.catalog.modelsOf(provider)) {
      out.push({ name: `${provider.id}/${info.id}`, upstreamModel: info.id, provider, info })
    }
  }
  return out
}

function details(m: ServedModel) {
  const { family } = traitsOf(m.upstreamModel)
  return {
    parent_model: '',
    format: FORMAT_BY_LOCALITY[m.provider.adapter.descriptor.locality === 'cloud' ? 'remote' : 'local'],
    family,
    families: [family],
    parameter_size: '',
    quantization_level: '',
  }
}

function modifiedAt(m: ServedModel, startedAt: number): string {
  return new Date(m.info?.created ? m.info.created * 1000 : startedAt).toISOString()
}

/** GET /api/tags: clients key on both `name` and `model` (Open WebUI, Copilot). */
export function listTags(gw: GatewayContext, startedAt: number, mayList: MayList) {
  return {
    models: servedModels(gw, mayList).map((m) => ({
      name: m.name,
      model: m.name,
      modified_at: modifiedAt(m, startedAt),
      size: 0,
      digest: createHash('sha256').update(m.name).digest('hex'),
      details: details(m),
    })),
  }
}

/** The served model behind a name as /api/show gets it: listed names first, then whatever the resolver accepts. */
async function findModel(gw: GatewayContext, name: string, mayList: MayList): Promise<ServedModel> {
  const listed = allServedModels(gw).find((m) => m.name === name)
  // A model the key may not list is as unknown as one that does not exist: another workspace's stays unconfirmed.
  const hidden = () =>
    new GatewayError('not_found', `model '${name}' is not configured`, { code: 'model_not_found', param: 'model' })
  if (listed) {
    if (!mayList(listed.name)) throw hidden()
    return listed
  }
  // An unknown name is a 404 that lists close matches, which Ollama clients show as the error.
  const { targets } = await resolveModel(name, gw)
  const { provider, model } = targets[0]
  if (!mayList(name) || !mayList(`${provider.id}/${model}`)) throw hidden()
  return { name, upstreamModel: model, provider, info: infoOf(gw, provider, model) }
}

/** The window config or the servers state: a route's as far as known, a model's asked of its server if need be. */
function windowOf(gw: GatewayContext, m: ServedModel): number | undefined | Promise<number | undefined> {
  if (m.route) return routeWindow(m.route, gw)
  return targetWindow({ provider: m.provider, model: m.upstreamModel }, gw)
}

/**
 * POST /api/show. Copilot needs `capabilities` and `model_info` with the architecture and
 * `<arch>.context_length`; Continue reads `parameters` and looks for `.Suffix` in `template` to decide
 * on fill-in-the-middle, which the gateway does not offer, so the template has none.
 */
export async function showModel(gw: GatewayContext, name: string, startedAt: number, mayList: MayList) {
  const m = await findModel(gw, name, mayList)
  const traits = traitsOf(m.upstreamModel)
  const contextLength = (await windowOf(gw, m)) ?? traits.contextLength ?? DEFAULT_CONTEXT_LENGTH
  const capabilities = traits.embedding
    ? ['embedding']
    : ['completion', 'tools', ...(traits.vision ? ['vision'] : []), ...(traits.thinking ? ['thinking'] : [])]
  return {
    license: '',
    modelfile: `# ${m.name} is served by Switchyard through provider '${m.provider.id}' (${m.provider.adapter.descriptor.type})`,
    parameters: `num_ctx                        ${contextLength}`,
    template: '{{ .Prompt }}',
    details: details(m),
    model_info: {
      'general.architecture': traits.family,
      'general.basename': m.upstreamModel,
      [`${traits.family}.context_length`]: contextLength,
    },
    capabilities,
    modified_at: modifiedAt(m, startedAt),
  }
}
