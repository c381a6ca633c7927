import { Component, type ErrorInfo, type ReactNode } from 'react'

/**
 * Keeps a crash inside the panel or page where it happened: the rest of the app (and the sidebar) stays
 * usable, and the message says what broke with a way to try again.
 */
export class ErrorBoundary extends Component<{ label: string; children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null }

  static getDerivedStateFromError(error: Error) {
    return { error }
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`${this.props.label} failed to render`, error, info.componentStack)
  }

  render() {
    if (!this.state.error) return this.props.children
    return (
      <div className="notice" role="alert">
        <span>
          <strong>{this.props.label} could not be shown.</strong> {this.state.error.message}
        </span>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Retry
        </button>
      </div>
    )
  }
}
