import { useState } from 'react'
import { errorMessage, isDesktop } from '../../api/client'
import { useAppStore } from '../../store'

/** Ends the web UI's session. The desktop window has none: it is signed in by the app itself. */
export function SignOutButton() {
  const signOut = useAppStore((s) => s.signOut)
  const [error, setError] = useState<string | null>(null)
  if (isDesktop()) return null
  return (
    <>
      <button
        type="button"
        className="small"
        onClick={() => {
          setError(null)
          signOut().catch((err) => setError(`Could not sign out: ${errorMessage(err)}`))
        }}
      >
        Sign out
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  )
}
