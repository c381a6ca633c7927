import { type FormEvent, type ReactNode, useState } from 'react'
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

/** Links a field to the sign-in error, so a screen reader reads why it was refused. */
const errorProps = (error: string | null) =>
  error ? ({ 'aria-invalid': true, 'aria-describedby': 'sign-in-error' } as const) : {}

/**
 * The scaffolding every sign-in form shares (the admin token, email and password, the two-factor code): the
 * brand and heading, the form's own fields, the error they are linked to, its buttons and the help below.
 */
function SignInForm(props: {
  onSubmit(): void
  busy: boolean
  error: string | null
  children: ReactNode
  /** The submit button, with a Back beside it where a step has one; none while nothing can be sent. */
  actions: ReactNode
  /** Between the buttons and the help: another way in (single sign-on). */
  alternative?: ReactNode
  help: ReactNode
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault()
    props.onSubmit()
  }
  return (
    <main className="sign-in">
      <form className="panel sign-in-panel" onSubmit={submit} aria-busy={props.busy}>
        <div className="brand">◆ Switchyard</div>
        <h1>Sign in</h1>
        {props.children}
        {props.error && (
          <p id="sign-in-error" className="error" role="alert">
            {props.error}
          </p>
        )}
        {props.actions}
        {props.alternative}
        <div className="sign-in-help">{props.help}</div>
      </form>
    </main>
  )
}

function SubmitButton({ busy, label }: { busy: boolean; label: string }) {
  return (
    <button type="submit" className="primary" disabled={busy}>
      {busy ? 'Signing in…' : label}
    </button>
  )
}

function AdminTokenSignIn() {
  const { signIn, signingIn, error } = useAppStore(
    useShallow((s) => ({ signIn: s.signIn, signingIn: s.signingIn, error: s.signInError })),
  )
  const [token, setToken] = useState('')
  return (
    <SignInForm
      onSubmit={() => void signIn(token)}
      busy={signingIn}
      error={error}
      actions={<SubmitButton busy={signingIn} label="Sign in" />}
      help={
        <>
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
        </>
      }
    >
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
          {...errorProps(error)}
          // biome-ignore lint/a11y/noAutofocus: the field is the page's only purpose.
          autoFocus
        />
      </div>
    </SignInForm>
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
  const fieldError = errorProps(error)
  return (
    <SignInForm
      onSubmit={() => void signInPerson(email, password, totpStep ? code : undefined)}
      busy={signingIn}
      error={error}
      actions={
        !setupRequired && (
          <div className="row">
            <SubmitButton busy={signingIn} label={totpStep ? 'Verify' : 'Sign in'} />
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
        )
      }
      alternative={
        sso &&
        !totpStep && (
          <div className="sign-in-sso">
            <span className="muted">or</span>
            {/* A navigation, not a fetch: the identity provider's pages take over the window. */}
            <a className="button" href="/auth/oidc/start">
              {sso.label}
            </a>
          </div>
        )
      }
      help={
        <>
          <h2>No account yet?</h2>
          <p>
            Ask an owner or admin of this gateway to add you (Settings → Team). They can also reset a forgotten
            password.
          </p>
        </>
      }
    >
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
              {...fieldError}
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
              {...fieldError}
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
              {...fieldError}
            />
          </div>
        </>
      )}
    </SignInForm>
  )
}
