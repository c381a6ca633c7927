import { QueryClient } from '@tanstack/react-query'
import { ApiError } from './client'

/**
 * The renderer's one cache of server state: every list, detail and report the pages read. A refusal
 * (4xx) is the answer, so it is not retried; a gateway that is restarting or unreachable gets one more
 * try before the page shows the error. Data counts as fresh for a few seconds, so pages that share a
 * list (the model pickers, the prompt library) do not each fetch it when they open.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, err) => failures < 1 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      staleTime: 5_000,
      // The desktop window gets focus back often (tray, other apps); pages that need live data say so.
      refetchOnWindowFocus: false,
    },
    mutations: { retry: false },
  },
})
