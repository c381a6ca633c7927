// GET /api/ps: what is loaded into memory right now. The gateway loads nothing itself, but the Ollama
// servers behind it do: their own /api/ps lists are merged, each model under its `provider/model` name.

import type { GatewayContext } from '../../gateway-context.js'
import type { RuntimeProvider } from '../../routing/providers.js'

/**
 * A quick question to a local server: a slow or absent one is left out, not waited for. The connect
 * timeout is the provider's own, so the question goes through the provider's pool (and its
 * `maxConnections`) like its chat calls; the total still bounds an absent server.
 */
const PS_TIMEOUTS = { firstByteMs: 2000, idleMs: 2000, totalMs: 3000 }

interface RunningModel {
  name?: string
  model?: string
  [field: string]: unknown
}

async function runningOn(gw: GatewayContext, provider: RuntimeProvider): Promise<RunningModel[]> {
  try {
    const res = await gw.upstreams.send(
      provider.id,
      provider.ctx.baseUrl,
      { method: 'GET', path: '/api/ps', headers: {} },
      { ...PS_TIMEOUTS, connectMs: provider.timeouts.connectMs },
      AbortSignal.timeout(PS_TIMEOUTS.totalMs),
      provider.maxConnections,
    )
    const text = await res.text()
    if (res.status !== 200) return []
    const models = (JSON.parse(text) as { models?: unknown }).models
    if (!Array.isArray(models)) return []
    return models
      .filter((m): m is RunningModel => typeof m === 'object' && m !== null)
      .map((m) => {
        const name = `${provider.id}/${m.name ?? m.model}`
        return { ...m, name, model: name }
      })
  } catch {
    return []
  }
}

export async function listRunning(gw: GatewayContext): Promise<{ models: RunningModel[] }> {
  const ollamas = [...gw.providers.values()].filter((p) => p.adapter.descriptor.type === 'ollama')
  const lists = await Promise.all(ollamas.map((p) => runningOn(gw, p)))
  return { models: lists.flat() }
}
