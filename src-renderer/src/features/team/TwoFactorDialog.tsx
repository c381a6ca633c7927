import { useQuery } from '@tanstack/react-query'
import QRCode from 'qrcode'
import { type FormEvent, useEffect, useState } from 'react'
import { errorMessage } from '../../api/client'
import { queryClient } from '../../api/query-client'
import { teamApi } from '../../api/team'
import { CopyButton } from '../../components/CopyButton'
import { useModal } from '../../components/use-modal'
import { meKey, meQuery } from '../../queries/team'

/** What an authenticator shows: six digits, typed with or without a space in the middle. */
const CODE = /^\d{6}$/

function CodeField(props: { value: string; onChange(v: string): void }) {
  return (
    <div className="field">
      <label htmlFor="totp-code">Code from your authenticator app</label>
      <input
        id="totp-code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={8}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </div>
  )
}

/**
 * The QR code of the otpauth URI, drawn here (the secret never leaves the page for an image service) as a data
 * URL, which the web UI's CSP allows for images.
 */
function QrImage({ uri }: { uri: string }) {
  const [src, setSrc] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let live = true
    QRCode.toDataURL(uri, { margin: 1, width: 200, errorCorrectionLevel: 'M' })
      .then((url) => live && setSrc(url))
      .catch(() => live && setFailed(true))
    return () => {
      live = false
    }
  }, [uri])
  if (failed) return <p className="muted">The QR code could not be drawn: type the secret below instead.</p>
  return src ? (
    <img className="totp-qr" src={src} width={200} height={200} alt="QR code to scan with an authenticator app" />
  ) : (
    <div className="totp-qr" aria-busy="true" />
  )
}

/**
 * Two-factor authentication for the signed-in person: turning it on shows a secret as a QR code and as text,
 * and takes effect only once a code from the app proves it was saved; turning it off asks for a code too.
 */
export function TwoFactorDialog({ onClose }: { onClose(): void }) {
  const ref = useModal(true)
  const me = useQuery(meQuery())
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | null>(null)
  const [code, setCode] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const on = me.data?.totp ?? false

  const run = async (action: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await action()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  const start = () =>
    run(async () => {
      setNotice(null)
      setEnrolment(await teamApi.startTotp())
    })
  const withCode = (e: FormEvent, send: (code: string) => Promise<unknown>, done: string) => {
    e.preventDefault()
    const typed = code.replace(/\s+/g, '')
    if (!CODE.test(typed)) return setError('Enter the 6-digit code your authenticator app shows now.')
    void run(async () => {
      await send(typed)
      setEnrolment(null)
      setCode('')
      setNotice(done)
      await queryClient.invalidateQueries({ queryKey: meKey() })
    })
  }

  return (
    <dialog ref={ref} className="panel team-dialog" aria-labelledby="totp-title" aria-modal="true" onClose={onClose}>
      <h2 id="totp-title">Two-factor authentication</h2>
      {me.isPending && (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {me.error && (
        <p className="error" role="alert">
          Could not load your account: {errorMessage(me.error)}
        </p>
      )}
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {me.data && !enrolment && (
        <div className="stack">
          <p>
            Status: <strong data-testid="totp-state">{on ? '✔ On' : '○ Off'}</strong>
          </p>
          {me.data.source === 'sso' && (
            <p className="muted">
              You sign in through single sign-on: your identity provider's own second factor applies there. This one
              applies to password sign-in only.
            </p>
          )}
          {on ? (
            <form
              className="stack"
              onSubmit={(e) => withCode(e, teamApi.disableTotp, '○ Two-factor authentication is off.')}
            >
              <p className="muted">To turn it off, confirm with a current code.</p>
              <CodeField value={code} onChange={setCode} />
              <div>
                <button type="submit" className="danger" disabled={busy}>
                  Turn off
                </button>
              </div>
            </form>
          ) : (
            <div>
              <p className="muted">
                After your password, sign-in asks for a code from an authenticator app (Google Authenticator, 1Password,
                Aegis…).
              </p>
              <button type="button" className="primary" onClick={() => void start()} disabled={busy}>
                Turn on
              </button>
            </div>
          )}
        </div>
      )}
      {enrolment && (
        <form
          className="stack"
          onSubmit={(e) => withCode(e, teamApi.confirmTotp, '✔ Two-factor authentication is on.')}
          aria-busy={busy}
        >
          <p>Scan this code with your authenticator app, or type the secret into it.</p>
          <QrImage uri={enrolment.uri} />
          <div className="row">
            <code className="totp-secret" data-testid="totp-secret">
              {enrolment.secret}
            </code>
            <CopyButton text={enrolment.secret} label="Copy secret" />
          </div>
          <p className="muted">Then enter the code it shows to finish. Until then, sign-in does not ask for one.</p>
          <CodeField value={code} onChange={setCode} />
          <div>
            <button type="submit" className="primary" disabled={busy}>
              Confirm
            </button>
          </div>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div>
        <button type="button" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  )
}
