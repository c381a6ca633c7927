import { queryOptions } from '@tanstack/react-query'
import { openaiModels } from '../api/admin'
import { isEmbeddingModel } from '../store/model-kind'

/** Every model and route name `/v1/models` lists, as the gateway offers them to a client. */
export const modelIdsKey = () => ['models', 'ids'] as const

/**
 * The one model list behind every picker (Playground, Compare, Routes, Connect): one fetch while it is fresh,
 * however many pages read it.
 */
export const modelIdsQuery = () =>
  queryOptions({
    queryKey: modelIdsKey(),
    queryFn: async ({ signal }) => (await openaiModels(signal)).data.map((m) => m.id),
  })

/** What can answer a chat (the Playground, a comparison): the list without embedding models. */
export const chatModelsOf = (ids: string[]): string[] => ids.filter((id) => !isEmbeddingModel(id))
