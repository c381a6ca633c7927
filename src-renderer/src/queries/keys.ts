import { queryOptions } from '@tanstack/react-query'
import type { KeyInput, KeyItem, KeyUpdate, KeyWithSecret } from '../../../src-shared/admin-api'
import { keysApi } from '../api/keys'
import { queryClient } from '../api/query-client'

export const keysKey = () => ['keys', 'list'] as const

/** The virtual keys (Keys, Budgets and the key overrides of the policy tabs read them). */
export const keysQuery = () =>
  queryOptions({
    queryKey: keysKey(),
    queryFn: async ({ signal }) => (await keysApi.list(signal)).items,
  })

/**
 * Create and rotate answer with the secret, not with the list's row (usage, masked key), so the list is read
 * again; the secret itself never enters the cache.
 */
export async function createKey(input: KeyInput): Promise<KeyWithSecret> {
  const created = await keysApi.create(input)
  await queryClient.invalidateQueries({ queryKey: keysKey() })
  return created
}

export async function rotateKey(name: string): Promise<KeyWithSecret> {
  const rotated = await keysApi.rotate(name)
  await queryClient.invalidateQueries({ queryKey: keysKey() })
  return rotated
}

export async function revokeKey(name: string): Promise<void> {
  await keysApi.revoke(name)
  queryClient.setQueryData(keysKey(), (list: KeyItem[] | undefined) => list?.filter((k) => k.name !== name))
}

/** Saves an edit; the gateway's answer is the key's new row. */
export async function updateKey(update: KeyUpdate): Promise<KeyItem> {
  const saved = await keysApi.update(update)
  queryClient.setQueryData(keysKey(), (list: KeyItem[] | undefined) =>
    list?.map((k) => (k.name === saved.name ? saved : k)),
  )
  return saved
}
