import { create } from 'zustand'
import { queryClient } from '../api/query-client'
import { invalidateAfterRestart } from '../queries/status'
import { type AuditSlice, createAuditSlice } from './audit-slice'
import { type AuthSlice, createAuthSlice } from './auth-slice'
import { type BackupsSlice, createBackupsSlice } from './backups-slice'
import { type CachePolicySlice, createCachePolicySlice } from './cache-policy-slice'
import { type CompareSlice, createCompareSlice } from './compare-slice'
import { type ConnectSlice, createConnectSlice } from './connect-slice'
import { createDashboardSlice, type DashboardSlice } from './dashboard-slice'
import { createHandoffSlice, type HandoffSlice } from './handoff-slice'
import { createKeysSlice, type KeysSlice } from './keys-slice'
import { createLogsSlice, type LogsSlice } from './logs-slice'
import { createPlaygroundSlice, type PlaygroundSlice } from './playground-slice'
import { createPromptsSlice, type PromptsSlice } from './prompts-slice'
import { createRedactionSlice, type RedactionSlice } from './redaction-slice'
import { createRoutesSlice, type RoutesSlice } from './routes-slice'
import { createSettingsSlice, type SettingsSlice } from './settings-slice'

export type AppState = AuthSlice &
  DashboardSlice &
  LogsSlice &
  PlaygroundSlice &
  HandoffSlice &
  RoutesSlice &
  SettingsSlice &
  ConnectSlice &
  PromptsSlice &
  CompareSlice &
  KeysSlice &
  AuditSlice &
  BackupsSlice &
  RedactionSlice &
  CachePolicySlice

// Each slice is typed against itself only (no slice reads another), so each can be tested alone.
export const useAppStore = create<AppState>()((set, get, api) => ({
  ...createAuthSlice(set, get, api),
  ...createDashboardSlice(set, get, api),
  ...createLogsSlice(set, get, api),
  ...createPlaygroundSlice(set, get, api),
  ...createHandoffSlice(set, get, api),
  ...createRoutesSlice(set, get, api),
  ...createSettingsSlice(set, get, api),
  ...createConnectSlice(set, get, api),
  ...createPromptsSlice(set, get, api),
  ...createCompareSlice(set, get, api),
  ...createKeysSlice(set, get, api),
  ...createAuditSlice(set, get, api),
  ...createBackupsSlice(set, get, api),
  ...createRedactionSlice(set, get, api),
  ...createCachePolicySlice(set, get, api),
}))

// After a gateway restart every list may be stale: the whole cache is invalidated (queries/status.ts).
invalidateAfterRestart(queryClient)
