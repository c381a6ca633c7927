import { type FormEvent, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../store'
import './sign-in.css'

/**
 * What the web UI shows instead of its pages until the browser holds a session: the gateway holds every
 * provider key and every logged prompt, so its admin pages open only for whoever has its admin token.
 */
export function SignInPage() {
  const { signIn, signingIn, error } = useAppStore(
    useShallow((s) => ({ signIn: s.signIn, signingIn: s.signingIn, error: s.signInError })),
  )
  const [token, setToken] = useState('')
  const submit = (e: FormEvent) => {
    e.preventDefault()
    void signIn(token)
  }
  return (
    <main className="sign-in">
      <form className="panel sign-in-panel" onSubmit={submit} aria-busy={signingIn}>
        <div className="brand">◆ Switchyard</div>
        <h1>Sign in</h1>
        <p className="muted">This gateway's pages and admin API open only with its admin token.</p>
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input
            id="admin-token"
            type="password"
            autoComplete="current-password"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'sign-in-error' : undefined}
            // biome-ignore lint/a11y/noAutofocus: the field is the page's only purpose.
            autoFocus
          />
        </div>
        {error && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={signingIn}>
          {signingIn ? 'Signing in…' : 'Sign in'}
        </button>
        <div className="sign-in-help">
          <h2>Where to find it</h2>
          <ul>
            <li>
              The file <code>admin-token</code> in the data folder (<code>~/.config/Switchyard</code> on Linux,{' '}
              <code>~/Library/Application Support/Switchyard</code> on macOS, <code>%APPDATA%\Switchyard</code> on
              Windows, or the folder given to <code>--data-dir</code>).
            </li>
            <li>
              <code>SWITCHYARD_ADMIN_TOKEN</code> or <code>server.adminToken</code>, when you set one yourself.
            </li>
            <li>
              Or skip the token: open the sign-in link <code>switchyard serve</code> printed when it started. It works
              once, within 10 minutes.
            </li>
          </ul>
        </div>
      </form>
    </main>
  )
}
