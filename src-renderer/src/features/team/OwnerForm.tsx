import { type FormEvent, useState } from 'react'
import { errorMessage } from '../../api/client'
import type { TeamOwnerInput } from '../../api/team'
import { NewPasswordFields } from './NewPasswordFields'
import { newPasswordProblem } from './password-strength'

/**
 * The first owner's name, email and password: the setup page and Settings' "Set up for a team" both create
 * one, then the gateway signs the browser in as that owner.
 */
export function OwnerForm(props: {
  idPrefix: string
  submitLabel: string
  onSubmit(input: TeamOwnerInput): Promise<void>
}) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const p = props.idPrefix
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const problem = !name.trim()
      ? 'Enter your name.'
      : !email.trim()
        ? 'Enter your email.'
        : newPasswordProblem(password, repeat)
    if (problem) return setError(problem)
    setError(null)
    setBusy(true)
    try {
      await props.onSubmit({ name: name.trim(), email: email.trim(), password })
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-busy={busy}>
      <div className="field">
        <label htmlFor={`${p}-name`}>Name</label>
        <input
          id={`${p}-name`}
          autoComplete="name"
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${p}-email`}>Email</label>
        <input
          id={`${p}-email`}
          type="email"
          autoComplete="username"
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <NewPasswordFields
        idPrefix={p}
        password={password}
        repeat={repeat}
        onPassword={setPassword}
        onRepeat={setRepeat}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : props.submitLabel}
        </button>
      </div>
    </form>
  )
}
