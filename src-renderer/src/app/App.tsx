import { type ComponentType, lazy, Suspense, useEffect, useMemo, useState } from 'react'
import type { Permission } from '../../../src-shared/contract/permissions'
import { onAdminUnauthorized, onWorkspaceRefused } from '../api/client'
import { queryClient } from '../api/query-client'
import { ErrorBoundary } from '../components/ErrorBoundary'
import { SignInPage } from '../features/auth/SignInPage'
import { SignOutButton } from '../features/auth/SignOutButton'
import { GatewayNotices } from '../features/status/GatewayNotices'
import { GatewayPill } from '../features/status/GatewayPill'
import { AccountMenu } from '../features/team/AccountMenu'
import { SetupPage, setupToken } from '../features/team/SetupPage'
import { useAppStore } from '../store'
import { canUse } from '../store/auth-slice'
import { applyTheme } from '../theme/theme'
import { navigate, useHashLocation } from './router'

// Each page is its own chunk, loaded on first visit: the charts library only loads with the Overview.
const ComparePage = lazy(() => import('../features/compare/ComparePage').then((m) => ({ default: m.ComparePage })))
const ConnectPage = lazy(() => import('../features/connect/ConnectPage').then((m) => ({ default: m.ConnectPage })))
const KeysPage = lazy(() => import('../features/keys/KeysPage').then((m) => ({ default: m.KeysPage })))
const LogsPage = lazy(() => import('../features/logs/LogsPage').then((m) => ({ default: m.LogsPage })))
const McpServersPage = lazy(() => import('../features/mcp/McpServersPage').then((m) => ({ default: m.McpServersPage })))
const OverviewPage = lazy(() => import('../features/overview/OverviewPage').then((m) => ({ default: m.OverviewPage })))
const PlaygroundPage = lazy(() =>
  import('../features/playground/PlaygroundPage').then((m) => ({ default: m.PlaygroundPage })),
)
const PortalPage = lazy(() => import('../features/portal/PortalPage').then((m) => ({ default: m.PortalPage })))
const PromptsPage = lazy(() => import('../features/prompts/PromptsPage').then((m) => ({ default: m.PromptsPage })))
const ProvidersPage = lazy(() =>
  import('../features/providers/ProvidersPage').then((m) => ({ default: m.ProvidersPage })),
)
const RoutesPage = lazy(() => import('../features/routes/RoutesPage').then((m) => ({ default: m.RoutesPage })))
const SessionsPage = lazy(() => import('../features/sessions/SessionsPage').then((m) => ({ default: m.SessionsPage })))
const SettingsPage = lazy(() => import('../features/settings/SettingsPage').then((m) => ({ default: m.SettingsPage })))

interface PageEntry {
  path: string
  label: string
  /** The digit of its Ctrl/Cmd shortcut (ui.md §1), for the pages that have one. */
  key?: string
  /**
   * What a team member's role needs for this page to be of use (board s8); without it the link is hidden. The
   * gateway refuses the calls anyway: hiding only spares a page of errors.
   */
  permission?: Permission
  Page: ComponentType
}

export const PAGES: PageEntry[] = [
  { path: '/', label: 'Overview', key: '1', permission: 'logs:read', Page: OverviewPage },
  { path: '/playground', label: 'Playground', key: '2', permission: 'compare:run', Page: PlaygroundPage },
  { path: '/logs', label: 'Logs', key: '3', permission: 'logs:read', Page: LogsPage },
  { path: '/sessions', label: 'Sessions', permission: 'logs:read', Page: SessionsPage },
  { path: '/prompts', label: 'Prompts', key: '4', permission: 'prompts:read', Page: PromptsPage },
  { path: '/compare', label: 'Compare', key: '5', permission: 'compare:run', Page: ComparePage },
  { path: '/providers', label: 'Providers & models', key: '6', permission: 'providers:read', Page: ProvidersPage },
  { path: '/mcp', label: 'MCP servers', permission: 'settings:read', Page: McpServersPage },
  { path: '/routes', label: 'Routes', key: '7', permission: 'routes:read', Page: RoutesPage },
  { path: '/keys', label: 'Keys & Policies', key: '8', permission: 'keys:read', Page: KeysPage },
  { path: '/portal', label: 'Portal', permission: 'portal:read', Page: PortalPage },
  { path: '/connect', label: 'Connect', key: '9', Page: ConnectPage },
  { path: '/settings', label: 'Settings', key: '0', Page: SettingsPage },
]

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform)

function useGlobalShortcuts(pages: PageEntry[]) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(isMac ? e.metaKey : e.ctrlKey) || e.altKey || e.shiftKey) return
      const page = e.key === ',' ? pages.find((p) => p.path === '/settings') : pages.find((p) => p.key === e.key)
      if (!page) return
      e.preventDefault()
      navigate(page.path)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [pages])
}

/** The pages the signed-in principal's role can use (all of them in solo mode and on the desktop). */
function useVisiblePages(): PageEntry[] {
  const permissions = useAppStore((s) => s.permissions)
  return useMemo(() => PAGES.filter((p) => !p.permission || canUse({ permissions }, p.permission)), [permissions])
}

/** Decides between the sign-in page and the app; pages mount only with a session, so none of them fetches without one. */
export function App() {
  const theme = useAppStore((s) => s.theme)
  const auth = useAppStore((s) => s.auth)
  const checkSession = useAppStore((s) => s.checkSession)
  const sessionEnded = useAppStore((s) => s.sessionEnded)
  // The printed `/setup?token=…` link: its page comes before any sign-in.
  const [settingUp, setSettingUp] = useState(() => setupToken() !== null || window.location.pathname === '/setup')
  useEffect(() => applyTheme(theme), [theme])
  useEffect(() => {
    // What one person's session loaded must not show to the next one signing in at this browser.
    if (auth === 'signed-out') queryClient.clear()
  }, [auth])
  useEffect(() => {
    void checkSession()
  }, [checkSession])
  useEffect(() => onAdminUnauthorized(sessionEnded), [sessionEnded])
  useEffect(
    () =>
      onWorkspaceRefused((refused) => {
        if (useAppStore.getState().workspace !== refused) return
        useAppStore.getState().chooseWorkspace(null)
        void queryClient.resetQueries()
      }),
    [],
  )

  if (settingUp) return <SetupPage onDone={() => setSettingUp(false)} />
  if (auth === 'checking') return <main className="page" aria-busy="true" />
  if (auth === 'signed-out') return <SignInPage />
  return <Shell />
}

function Shell() {
  const { path } = useHashLocation()
  const pages = useVisiblePages()
  const team = useAppStore((s) => s.authMode === 'team')
  // A page loaded in one workspace starts over in another (its own state, not only the query cache).
  const workspace = useAppStore((s) => s.workspace)
  useGlobalShortcuts(pages)

  const current = pages.find((p) => p.path === path)
  const hidden = !current && PAGES.some((p) => p.path === path)
  const mod = isMac ? '⌘' : 'Ctrl+'
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="sidebar-inner">
          <div className="brand">◆ Switchyard</div>
          {team && <AccountMenu />}
          {pages.map((p) => (
            <a
              key={p.path}
              href={`#${p.path}`}
              aria-label={p.label}
              aria-current={p === current ? 'page' : undefined}
              aria-keyshortcuts={p.key && `${isMac ? 'Meta' : 'Control'}+${p.key}`}
            >
              <span>{p.label}</span>
              {p.key && (
                <kbd>
                  {mod}
                  {p.key}
                </kbd>
              )}
            </a>
          ))}
          <div className="sidebar-footer">
            <GatewayPill />
            {!team && <SignOutButton />}
          </div>
        </div>
      </nav>
      {current ? (
        <ErrorBoundary key={`${current.path} ${workspace ?? ''}`} label={`The ${current.label} page`}>
          <Suspense fallback={<main className="page" aria-busy="true" />}>
            <current.Page />
          </Suspense>
        </ErrorBoundary>
      ) : hidden ? (
        <main className="page">
          <h1>Not available for your role</h1>
          <p className="muted">
            Your role does not include this page. Ask an owner or admin if you need it.{' '}
            <a href="#/settings">Settings</a> shows your account.
          </p>
        </main>
      ) : (
        <main className="page">
          <h1>Page not found</h1>
          <p className="muted">
            Nothing lives at <code>#{path}</code>. <a href="#/">Go to the Overview</a>.
          </p>
        </main>
      )}
      <GatewayNotices />
    </div>
  )
}
