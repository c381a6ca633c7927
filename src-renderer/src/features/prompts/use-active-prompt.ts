import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { PromptVersion } from '../../api/prompts'
import { promptListQuery, promptVersionsQuery } from '../../queries/prompts'
import { useAppStore } from '../../store'

const NO_VERSIONS: PromptVersion[] = []

/** The chosen prompt's versions, newest first (none while nothing is chosen or they are being read). */
export function useActiveVersions() {
  const active = useAppStore((s) => s.activePrompt)
  const q = useQuery({ ...promptVersionsQuery(active ?? ''), enabled: active !== null })
  return { versions: (active !== null && q.data) || NO_VERSIONS, error: q.error }
}

/** The labels of the chosen prompt, as the library lists them. */
export function useActiveLabels() {
  const active = useAppStore((s) => s.activePrompt)
  const query = useAppStore((s) => s.promptsQuery)
  const list = useQuery({ ...promptListQuery(query), placeholderData: keepPreviousData })
  return list.data?.find((p) => p.name === active)?.labels ?? []
}
