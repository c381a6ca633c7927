import { useEffect, useId, useRef, useState } from 'react'
import { errorMessage } from '../../api/client'
import { useAppStore } from '../../store'
import { ChangePasswordDialog } from './ChangePasswordDialog'
import { TwoFactorDialog } from './TwoFactorDialog'
import { WorkspaceSwitcher } from './WorkspaceSwitcher'
import './team.css'

type Open = 'password' | 'totp' | null

/**
 * Team mode's account menu: who is signed in and as what role, their password and two-factor authentication,
 * and sign-out; below it, the workspace switcher when there is a choice. A disclosure (button + list), not an ARIA menu: its few items are ordinary buttons in tab order.
 */
export function AccountMenu() {
  const principal = useAppStore((s) => s.principal)
  const signOut = useAppStore((s) => s.signOut)
  const [expanded, setExpanded] = useState(false)
  const [dialog, setDialog] = useState<Open>(null)
  const [error, setError] = useState<string | null>(null)
  const panelId = useId()
  const rootRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!expanded) return
    // A click elsewhere or Escape folds it, as menus do.
    const onDown = (e: MouseEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setExpanded(false)
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setExpanded(false)
    }
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [expanded])

  if (!principal) return null
  // The admin token (break-glass) and service accounts have no password or authenticator of their own here.
  const person = principal.kind === 'person'
  const choose = (d: Open) => {
    setExpanded(false)
    setDialog(d)
  }
  return (
    <div className="account-menu" ref={rootRef}>
      <button
        type="button"
        className="account-button"
        aria-label={`Account: ${principal.name}, ${principal.role}`}
        aria-expanded={expanded}
        aria-controls={panelId}
        onClick={() => setExpanded((v) => !v)}
      >
        <span className="account-name">{principal.name}</span>
        <span className="role-chip" data-role={principal.role}>
          {principal.role}
        </span>
        <span aria-hidden="true">▾</span>
      </button>
      {expanded && (
        <section id={panelId} className="account-panel panel" aria-label="Account">
          <p className="muted">
            Signed in as <strong>{principal.name}</strong> ({principal.role}
            {principal.kind === 'admin-token' ? ', admin token' : ''})
          </p>
          {person && (
            <>
              <button type="button" onClick={() => choose('password')}>
                Change password
              </button>
              <button type="button" onClick={() => choose('totp')}>
                Two-factor authentication
              </button>
            </>
          )}
          <button
            type="button"
            onClick={() => {
              setError(null)
              signOut().catch((err) => setError(`Could not sign out: ${errorMessage(err)}`))
            }}
          >
            Sign out
          </button>
        </section>
      )}
      <WorkspaceSwitcher />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {dialog === 'password' && <ChangePasswordDialog onClose={() => setDialog(null)} />}
      {dialog === 'totp' && <TwoFactorDialog onClose={() => setDialog(null)} />}
    </div>
  )
}
