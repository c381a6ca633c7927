import { queryOptions } from '@tanstack/react-query'
import type { GatewaySettings } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { queryClient } from '../api/query-client'

export const settingsKey = () => ['settings'] as const

/** The gateway's address, data folder, config file, secret store and log retention. */
export const settingsQuery = () =>
  queryOptions({ queryKey: settingsKey(), queryFn: ({ signal }) => adminApi.settings(signal) })

/** Saves the log retention; the gateway answers with the settings as they now are. */
export async function saveRetention(logs: GatewaySettings['logs']): Promise<GatewaySettings> {
  const saved = await adminApi.saveSettings({ logs })
  queryClient.setQueryData(settingsKey(), saved)
  return saved
}
