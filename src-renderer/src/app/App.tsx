import { StatusPage } from '../features/status/StatusPage'

export function App() {
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Switchyard</div>
        <a href="#/" aria-current="page">
          Status
        </a>
      </nav>
      <StatusPage />
    </div>
  )
}
