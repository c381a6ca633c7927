import { useQuery } from '@tanstack/react-query'
import type { ProviderTypeInfo } from '../../../../src-shared/contract/provider-types'
import { errorMessage } from '../../api/client'
import { providerTypesQuery } from '../../queries/providers'

/** The gateway's provider types (its registry); the form offers nothing else. */
export function useProviderTypes(): { types: ProviderTypeInfo[]; error: string | null } {
  const q = useQuery(providerTypesQuery())
  return { types: q.data ?? [], error: q.error ? errorMessage(q.error) : null }
}
