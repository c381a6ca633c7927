import { MAX_PASSWORD, MIN_PASSWORD, passwordStrength, STRENGTH_TEXT } from './password-strength'

/** A new password typed twice, with a strength hint read out politely as it changes. */
export function NewPasswordFields(props: {
  idPrefix: string
  label?: string
  password: string
  repeat: string
  onPassword(v: string): void
  onRepeat(v: string): void
}) {
  const { idPrefix, password, repeat } = props
  const label = props.label ?? 'Password'
  const strength = passwordStrength(password)
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-password`}>{label}</label>
        <input
          id={`${idPrefix}-password`}
          type="password"
          autoComplete="new-password"
          maxLength={MAX_PASSWORD}
          value={password}
          onChange={(e) => props.onPassword(e.target.value)}
          aria-describedby={`${idPrefix}-strength`}
        />
        <p id={`${idPrefix}-strength`} className="field-hint" aria-live="polite" data-strength={strength}>
          {password
            ? STRENGTH_TEXT[strength]
            : `At least ${MIN_PASSWORD} characters; a few unrelated words make a strong one.`}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-repeat`}>{label} again</label>
        <input
          id={`${idPrefix}-repeat`}
          type="password"
          autoComplete="new-password"
          maxLength={MAX_PASSWORD}
          value={repeat}
          onChange={(e) => props.onRepeat(e.target.value)}
          aria-invalid={repeat && repeat !== password ? true : undefined}
        />
      </div>
    </>
  )
}
