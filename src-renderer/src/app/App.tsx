import { type ComponentType, useEffect } from 'react'
import { ErrorBoundary } from '../components/ErrorBoundary'
import { ComparePage } from '../features/compare/ComparePage'
import { ConnectPage } from '../features/connect/ConnectPage'
import { LogsPage } from '../features/logs/LogsPage'
import { OverviewPage } from '../features/overview/OverviewPage'
import { PlaygroundPage } from '../features/playground/PlaygroundPage'
import { PromptsPage } from '../features/prompts/PromptsPage'
import { ProvidersPage } from '../features/providers/ProvidersPage'
import { RoutesPage } from '../features/routes/RoutesPage'
import { SettingsPage } from '../features/settings/SettingsPage'
import { GatewayPill } from '../features/status/GatewayPill'
import { useAppStore } from '../store'
import { applyTheme } from '../theme/theme'
import { navigate, useHashLocation } from './router'

interface PageEntry {
  path: string
  label: string
  /** The digit of its Ctrl/Cmd shortcut (ui.md §1). */
  key: string
  Page: ComponentType
}

// Keys & Policies (⌘8) has no page yet: its slot stays free rather than showing a placeholder.
export const PAGES: PageEntry[] = [
  { path: '/', label: 'Overview', key: '1', Page: OverviewPage },
  { path: '/playground', label: 'Playground', key: '2', Page: PlaygroundPage },
  { path: '/logs', label: 'Logs', key: '3', Page: LogsPage },
  { path: '/prompts', label: 'Prompts', key: '4', Page: PromptsPage },
  { path: '/compare', label: 'Compare', key: '5', Page: ComparePage },
  { path: '/providers', label: 'Providers & models', key: '6', Page: ProvidersPage },
  { path: '/routes', label: 'Routes', key: '7', Page: RoutesPage },
  { path: '/connect', label: 'Connect', key: '9', Page: ConnectPage },
  { path: '/settings', label: 'Settings', key: '0', Page: SettingsPage },
]

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform)

function useGlobalShortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(isMac ? e.metaKey : e.ctrlKey) || e.altKey || e.shiftKey) return
      const page = e.key === ',' ? PAGES.find((p) => p.path === '/settings') : PAGES.find((p) => p.key === e.key)
      if (!page) return
      e.preventDefault()
      navigate(page.path)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}

export function App() {
  const { path } = useHashLocation()
  const theme = useAppStore((s) => s.theme)
  useEffect(() => applyTheme(theme), [theme])
  useGlobalShortcuts()

  const current = PAGES.find((p) => p.path === path)
  const mod = isMac ? '⌘' : 'Ctrl+'
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="sidebar-inner">
          <div className="brand">◆ Switchyard</div>
          {PAGES.map((p) => (
            <a
              key={p.path}
              href={`#${p.path}`}
              aria-label={p.label}
              aria-current={p === current ? 'page' : undefined}
              aria-keyshortcuts={`${isMac ? 'Meta' : 'Control'}+${p.key}`}
            >
              <span>{p.label}</span>
              <kbd>
                {mod}
                {p.key}
              </kbd>
            </a>
          ))}
          <div className="sidebar-footer">
            <GatewayPill />
          </div>
        </div>
      </nav>
      {current ? (
        <ErrorBoundary key={current.path} label={`The ${current.label} page`}>
          <current.Page />
        </ErrorBoundary>
      ) : (
        <main className="page">
          <h1>Page not found</h1>
          <p className="muted">
            Nothing lives at <code>#{path}</code>. <a href="#/">Go to the Overview</a>.
          </p>
        </main>
      )}
    </div>
  )
}
