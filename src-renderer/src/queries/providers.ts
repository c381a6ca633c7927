import { queryOptions } from '@tanstack/react-query'
import type { ProviderInput, ProviderTestResult } from '../../../src-shared/admin-api'
import type { ProviderTypesAnswer } from '../../../src-shared/contract/provider-types'
import { adminApi, type DiscoveryView } from '../api/admin'
import { getJson } from '../api/client'
import { queryClient } from '../api/query-client'

export const providersKey = () => ['providers', 'list'] as const
export const discoveredKey = () => ['providers', 'discovered'] as const
/** Under `models`, beside the pickers' list: whatever changes the providers changes both. */
export const modelItemsKey = () => ['models', 'items'] as const
export const providerTypesKey = () => ['provider-types'] as const

export const providersQuery = () =>
  queryOptions({
    queryKey: providersKey(),
    queryFn: async ({ signal }) => (await adminApi.providers(signal)).items,
  })

export const discoveredQuery = () =>
  queryOptions({ queryKey: discoveredKey(), queryFn: ({ signal }) => adminApi.discovered(signal) })

/** Every model the providers serve, with its provider and context window (the Providers page's table). */
export const modelItemsQuery = () =>
  queryOptions({
    queryKey: modelItemsKey(),
    queryFn: async ({ signal }) => (await adminApi.models(signal)).items,
  })

/** The gateway's provider types (its registry): they change only with the gateway's version. */
export const providerTypesQuery = () =>
  queryOptions({
    queryKey: providerTypesKey(),
    queryFn: async ({ signal }) => (await getJson<ProviderTypesAnswer>('/admin/v1/provider-types', signal)).items,
    staleTime: Number.POSITIVE_INFINITY,
  })

/** No scan has run because discovery at start is off: an empty list means "never looked", not "none". */
export const discoveryNeverRan = (view: DiscoveryView): boolean => view.scannedAt === null && view.scanOnStart === false

/** A provider added, edited or removed changes the list, its health and every model list. */
function providersChanged(): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['providers'] }),
    queryClient.invalidateQueries({ queryKey: ['models'] }),
  ]).then(() => undefined)
}

/** Adds a provider, or saves an edit (PUT, without the id in the body). */
export async function saveProvider(input: ProviderInput, editing: boolean): Promise<void> {
  if (editing) {
    const { id, ...rest } = input
    await adminApi.updateProvider(id, rest)
  } else await adminApi.createProvider(input)
  await providersChanged()
}

export async function deleteProvider(id: string): Promise<void> {
  await adminApi.deleteProvider(id)
  await providersChanged()
}

/** Probes a provider; its card's health comes from the same probe, so the list is read again after it. */
export async function testProvider(id: string): Promise<ProviderTestResult> {
  const result = await adminApi.testProvider(id)
  void queryClient.invalidateQueries({ queryKey: providersKey() })
  return result
}

/** Looks for local servers again; an older gateway answers the scan without its result, so it is read after. */
export async function rescanLocal(): Promise<DiscoveryView> {
  const answer = await adminApi.discover()
  const view = answer?.items ? answer : await adminApi.discovered()
  queryClient.setQueryData(discoveredKey(), view)
  return view
}
