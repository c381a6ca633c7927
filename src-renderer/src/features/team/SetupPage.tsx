import { teamApi } from '../../api/team'
import { useAppStore } from '../../store'
import '../auth/sign-in.css'
import { OwnerForm } from './OwnerForm'

/** The one-time token in `/setup?token=…`, the link `switchyard serve` prints while a team gateway has no owner. */
export function setupToken(): string | null {
  if (window.location.pathname !== '/setup') return null
  return new URLSearchParams(window.location.search).get('token')
}

/**
 * A team gateway's first page: the person holding the printed setup link creates the first owner and is signed
 * in as them. The token is spent then, so the address is rewritten to `/` before anything else loads.
 */
export function SetupPage(props: { onDone(): void }) {
  const checkSession = useAppStore((s) => s.checkSession)
  const token = setupToken()
  const create = async (input: { name: string; email: string; password: string }) => {
    await teamApi.setup({ ...input, token: token ?? '' })
    window.history.replaceState(null, '', '/')
    await checkSession()
    props.onDone()
  }
  return (
    <main className="sign-in">
      <div className="panel sign-in-panel">
        <div className="brand">◆ Switchyard</div>
        <h1>Set up your team</h1>
        {token ? (
          <>
            <p className="muted">
              Create the first owner of this gateway. Owners add the other members, their roles and workspaces in
              Settings → Team.
            </p>
            <OwnerForm idPrefix="setup" submitLabel="Create owner and sign in" onSubmit={create} />
          </>
        ) : (
          <p className="error" role="alert">
            This setup link has no token. Open the whole link <code>switchyard serve</code> printed.
          </p>
        )}
      </div>
    </main>
  )
}
