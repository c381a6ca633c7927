// Where and how to call Azure OpenAI. The base URL is the resource's endpoint
// (`https://NAME.openai.azure.com`); the model names a deployment, and the key goes in an `api-key` header.
// Two URL forms exist: the dated one, `/openai/deployments/{deployment}/chat/completions?api-version=…`,
// and the v1 API (GA since August 2025), `/openai/v1/chat/completions` with the deployment as `model` and
// no version. `apiVersion: v1` picks the second.

import { AzureOpenAISettingsFields } from '../../../src-shared/contract/providers.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'

/** The newest GA version of the dated data-plane API. */
export const DEFAULT_API_VERSION = '2024-10-21'

/**
 * What an azure-openai provider may set besides the common provider fields (`deployments`, `apiVersion`): stated
 * in the admin contract, so the Providers page can edit them.
 */
export const AZURE_SETTINGS = AzureOpenAISettingsFields

type Operation = 'chat/completions' | 'embeddings'

/** The deployment that serves `model`: its `deployments:` entry, else a deployment named like the model. */
export function deploymentFor(model: string, ctx: ProviderContext): string {
  const deployments = ctx.settings?.deployments as Record<string, string> | undefined
  return (deployments && Object.hasOwn(deployments, model) ? deployments[model] : undefined) ?? model
}

/** The path under the endpoint and the `model` to put in the body for one operation on one deployment. */
export function azureTarget(
  operation: Operation,
  model: string,
  ctx: ProviderContext,
): { path: string; model: string } {
  const deployment = deploymentFor(model, ctx)
  const version = (ctx.settings?.apiVersion as string | undefined) ?? DEFAULT_API_VERSION
  if (version === 'v1') return { path: `/openai/v1/${operation}`, model: deployment }
  const path = `/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${version}`
  return { path, model: deployment }
}

/** Key auth is the `api-key` header (Entra ID tokens would be a bearer `authorization` from `headers:`). */
export function azureHeaders(ctx: ProviderContext): Record<string, string> {
  const headers: Record<string, string> = {}
  if (ctx.apiKey) headers['api-key'] = ctx.apiKey
  return ctx.headers ? { ...headers, ...ctx.headers } : headers
}

export function azurePost(path: string, body: unknown, ctx: ProviderContext): UpstreamRequest {
  return {
    method: 'POST',
    path,
    headers: { ...azureHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}
