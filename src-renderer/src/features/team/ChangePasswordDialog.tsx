import { type FormEvent, useState } from 'react'
import { errorMessage } from '../../api/client'
import { teamApi } from '../../api/team'
import { useModal } from '../../components/use-modal'
import { NewPasswordFields } from './NewPasswordFields'
import { MAX_PASSWORD, newPasswordProblem } from './password-strength'

/** The signed-in person's own password: the current one proves it is them, not someone at an unlocked screen. */
export function ChangePasswordDialog({ onClose }: { onClose(): void }) {
  const ref = useModal(true)
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [repeat, setRepeat] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const problem = current ? newPasswordProblem(next, repeat) : 'Enter your current password.'
    if (problem) return setError(problem)
    setBusy(true)
    setError(null)
    try {
      await teamApi.changePassword(current, next)
      setDone(true)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <dialog
      ref={ref}
      className="panel team-dialog"
      aria-labelledby="password-title"
      aria-modal="true"
      onClose={onClose}
    >
      <h2 id="password-title">Change password</h2>
      {done ? (
        <div className="stack">
          <p className="success" role="status">
            ✔ Password changed.
          </p>
          <div>
            <button type="button" onClick={() => ref.current?.close()}>
              Close
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={(e) => void submit(e)} aria-busy={busy}>
          <div className="field">
            <label htmlFor="pw-current">Current password</label>
            <input
              id="pw-current"
              type="password"
              autoComplete="current-password"
              maxLength={MAX_PASSWORD}
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          </div>
          <NewPasswordFields
            idPrefix="pw-new"
            label="New password"
            password={next}
            repeat={repeat}
            onPassword={setNext}
            onRepeat={setRepeat}
          />
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Change password'}
            </button>
            <button type="button" onClick={() => ref.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  )
}
