import { useEffect, useState } from 'react'
import type { ProviderTypeInfo, ProviderTypesAnswer } from '../../../../src-shared/contract/provider-types'
import { errorMessage, getJson } from '../../api/client'

/** The gateway's provider types (its registry), read once per form; the form offers nothing else. */
export function useProviderTypes(): { types: ProviderTypeInfo[]; error: string | null } {
  const [types, setTypes] = useState<ProviderTypeInfo[]>([])
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    const abort = new AbortController()
    getJson<ProviderTypesAnswer>('/admin/v1/provider-types', abort.signal)
      .then((answer) => setTypes(answer.items))
      .catch((err: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(err))
      })
    return () => abort.abort()
  }, [])
  return { types, error }
}
