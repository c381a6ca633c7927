import { type FormEvent, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../store'
import './sign-in.css'

/**
 * What the web UI shows instead of its pages until the browser holds a session: the gateway holds every
 * provider key and every logged prompt, so its admin pages open only for whoever has its admin token.
 */
export function SignInPage() {
  const team = useAppStore((s) => s.authMode === 'team')
  return team ? <TeamSignIn /> : <AdminTokenSignIn />
}

function AdminTokenSignIn() {
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

/**
 * Team mode: each person signs in with their email and password (then their authenticator's code, when they
 * turned two-factor authentication on), or through the team's single sign-on.
 */
function TeamSignIn() {
  const { signInPerson, cancelTotp, signingIn, error, totpStep, sso, setupRequired } = useAppStore(
    useShallow((s) => ({
      signInPerson: s.signInPerson,
      cancelTotp: s.cancelTotp,
      signingIn: s.signingIn,
      error: s.signInError,
      totpStep: s.totpStep,
      sso: s.sso,
      setupRequired: s.setupRequired,
    })),
  )
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const submit = (e: FormEvent) => {
    e.preventDefault()
    void signInPerson(email, password, totpStep ? code : undefined)
  }
  const errorProps = error ? { 'aria-invalid': true, 'aria-describedby': 'sign-in-error' } : {}
  return (
    <main className="sign-in">
      <form className="panel sign-in-panel" onSubmit={submit} aria-busy={signingIn}>
        <div className="brand">◆ Switchyard</div>
        <h1>Sign in</h1>
        {setupRequired ? (
          <p className="warn-text">
            This gateway has no owner yet. Open the setup link <code>switchyard serve</code> printed when it started to
            create the first account{sso ? ', or sign in through single sign-on if your groups make you an owner' : ''}.
          </p>
        ) : totpStep ? (
          <>
            <p className="muted">
              Two-factor authentication is on for <strong>{email.trim()}</strong>. Enter the 6-digit code from your
              authenticator app.
            </p>
            <div className="field">
              <label htmlFor="sign-in-totp">Authentication code</label>
              <input
                id="sign-in-totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9 ]*"
                maxLength={8}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                {...errorProps}
                // biome-ignore lint/a11y/noAutofocus: the code is all this step asks for.
                autoFocus
              />
            </div>
          </>
        ) : (
          <>
            <p className="muted">Sign in with your team account.</p>
            <div className="field">
              <label htmlFor="sign-in-email">Email</label>
              <input
                id="sign-in-email"
                type="email"
                autoComplete="username"
                maxLength={254}
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                {...errorProps}
                // biome-ignore lint/a11y/noAutofocus: the form is the page's only purpose.
                autoFocus
              />
            </div>
            <div className="field">
              <label htmlFor="sign-in-password">Password</label>
              <input
                id="sign-in-password"
                type="password"
                autoComplete="current-password"
                maxLength={1024}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                {...errorProps}
              />
            </div>
          </>
        )}
        {error && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        {!setupRequired && (
          <div className="row">
            <button type="submit" className="primary" disabled={signingIn}>
              {signingIn ? 'Signing in…' : totpStep ? 'Verify' : 'Sign in'}
            </button>
            {totpStep && (
              <button
                type="button"
                onClick={() => {
                  setCode('')
                  cancelTotp()
                }}
              >
                Back
              </button>
            )}
          </div>
        )}
        {sso && !totpStep && (
          <div className="sign-in-sso">
            <span className="muted">or</span>
            {/* A navigation, not a fetch: the identity provider's pages take over the window. */}
            <a className="button" href="/auth/oidc/start">
              {sso.label}
            </a>
          </div>
        )}
        <div className="sign-in-help">
          <h2>No account yet?</h2>
          <p>
            Ask an owner or admin of this gateway to add you (Settings → Team). They can also reset a forgotten
            password.
          </p>
        </div>
      </form>
    </main>
  )
}
