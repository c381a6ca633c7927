import { queryOptions } from '@tanstack/react-query'
import type { PromptSaved } from '../../../src-shared/contract/prompts'
import { type PromptContent, promptsApi } from '../api/prompts'
import { queryClient } from '../api/query-client'

/** Everything under `prompts` changes when a version is saved or a label moves. */
export const promptsKey = () => ['prompts'] as const
export const promptListKey = (q: string) => ['prompts', 'list', q] as const
export const promptKey = (name: string) => ['prompts', 'prompt', name] as const

/** The library, filtered by the search text (empty: every prompt); Prompts and Compare's matrix read it. */
export const promptListQuery = (q = '') =>
  queryOptions({
    queryKey: promptListKey(q),
    queryFn: async ({ signal }) => (await promptsApi.list(q, signal)).items,
  })

/** A prompt's versions, newest first. */
export const promptVersionsQuery = (name: string) =>
  queryOptions({
    queryKey: [...promptKey(name), 'versions'] as const,
    queryFn: async ({ signal }) => (await promptsApi.versions(name, signal)).items,
  })

export const labelHistoryQuery = (name: string) =>
  queryOptions({
    queryKey: [...promptKey(name), 'label-history'] as const,
    queryFn: async ({ signal }) => (await promptsApi.labelHistory(name, signal)).items,
  })

/** How each version behind a label has done (calls, ratings, cost), for the A/B view. */
export const armStatsQuery = (name: string) =>
  queryOptions({
    queryKey: [...promptKey(name), 'stats'] as const,
    queryFn: async ({ signal }) => (await promptsApi.stats(name, signal)).items,
  })

export const promptDiffQuery = (name: string, from: number, to: number) =>
  queryOptions({
    queryKey: [...promptKey(name), 'diff', from, to] as const,
    queryFn: ({ signal }) => promptsApi.diff(name, from, to, signal),
  })

/** Saves a version (the gateway answers with it, or with the one it equals when nothing changed). */
export async function savePromptVersion(name: string, content: PromptContent, note: string): Promise<PromptSaved> {
  const saved = await promptsApi.save(name, content, note)
  await queryClient.invalidateQueries({ queryKey: promptsKey() })
  return saved
}

export async function movePromptLabel(name: string, label: string, version: number): Promise<void> {
  await promptsApi.setLabel(name, label, { version })
  await queryClient.invalidateQueries({ queryKey: promptsKey() })
}
