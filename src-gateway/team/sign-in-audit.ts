import type { FastifyRequest } from 'fastify'
import type { AuditChange } from '../../src-shared/contract/audit.js'
import type { AuditStore } from '../audit/audit-store.js'

/**
 * Why a sign-in failed, as the audit trail tells admins. The caller's answer stays the same for an unknown
 * account, a wrong password and a disabled account (401 `invalid_credentials`); only the trail tells them apart.
 */
export type SignInFailure =
  | 'unknown_account'
  | 'wrong_password'
  | 'account_disabled'
  | 'wrong_totp'
  | 'too_many_attempts'
  | 'invalid_setup_token'
  /** A single sign-on failure: `sso_` and oidc/routes.ts's reason. */
  | `sso_${string}`

/** Failures for one email within this long of its entry's first count into that entry. */
export const FAILURE_WINDOW_MS = 60_000
/** New failure entries per window across all emails; past it, failures count into one entry for the rest. */
export const MAX_FAILURE_ENTRIES = 50
const MAX_EMAIL = 254
const MAX_NAME = 128
const MAX_USER_AGENT = 300
/** The entry that counts failures past MAX_FAILURE_ENTRIES; no typed email can be this key (it is trimmed). */
const OTHERS = ' others'

interface Counting {
  /** The entry's id once written (0: not written); amendments wait for it. */
  id: Promise<number>
  /** The amendment being written: each waits for the one before, so the last count stays. */
  amending: Promise<void>
  /** When failures for this email stop counting into this entry. */
  until: number
  attempts: number
  reasons: Partial<Record<SignInFailure, number>>
}

/** Text a person typed, as the trail shows it: no control characters, bounded. */
const shown = (text: string, max: number) =>
  text
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, max)

const counted = (c: Counting): AuditChange[] => [
  { path: 'attempts', after: c.attempts },
  ...Object.entries(c.reasons).map(([reason, n]) => ({ path: `reasons.${reason}`, after: n })),
]

/**
 * Sign-ins, failed sign-ins and sign-outs in the audit trail (team mode; only with a database, as every audit
 * entry). Failures come from anyone who can reach the sign-in page, so they cannot be let grow the trail freely:
 * the failures for one email within a minute are one entry whose attempt count rises, and at most
 * MAX_FAILURE_ENTRIES entries begin per minute, the failures beyond that counting into one more entry. Neither the
 * password nor a code is ever written; the email is written as typed (bounded), since it may match no account.
 * Each method resolves once its entry is stored (the shared Postgres's with config `database`) and never rejects:
 * a write that fails is logged on the request, the sign-in answers as it would have.
 */
export class SignInAudit {
  private readonly counting = new Map<string, Counting>()
  private window = { until: 0, begun: 0 }

  constructor(
    private readonly store: () => AuditStore | undefined,
    private readonly clock: () => number,
  ) {}

  async signedIn(
    req: FastifyRequest,
    account: { id: string; name: string },
    via: 'password' | 'sso' | 'setup',
  ): Promise<void> {
    await this.write(req, `person:${account.id}`, account.name, 'auth.sign-in', account.id, [
      { path: 'via', after: via },
    ])
  }

  async signedOut(req: FastifyRequest, person: { id: string; name: string }): Promise<void> {
    await this.write(req, `person:${person.id}`, person.name, 'auth.sign-out', person.id, [])
  }

  async failed(req: FastifyRequest, typedEmail: string | undefined, reason: SignInFailure): Promise<void> {
    const store = this.store()
    if (!store) return
    const now = this.clock()
    // Entries begin in time order, so those whose minute is over are at the front.
    for (const [key, c] of this.counting) {
      if (c.until > now) break
      this.counting.delete(key)
    }
    const email = shown(typedEmail ?? '', MAX_EMAIL)
    let key = email.toLowerCase()
    if (!this.counting.has(key)) {
      if (now >= this.window.until) this.window = { until: now + FAILURE_WINDOW_MS, begun: 0 }
      if (this.window.begun >= MAX_FAILURE_ENTRIES) key = OTHERS
    }
    const open = this.counting.get(key)
    if (open) {
      open.attempts++
      open.reasons[reason] = (open.reasons[reason] ?? 0) + 1
      // The counts as they are now, written after the entry and after the amendment before this one.
      const diff = counted(open)
      open.amending = Promise.all([open.id, open.amending]).then(async ([id]) => {
        if (id === 0) return
        await store.amend(id, diff).catch((err: Error) => req.log.error({ err }, 'could not write the audit entry'))
      })
      await open.amending
      return
    }
    const c: Counting = {
      id: Promise.resolve(0),
      amending: Promise.resolve(),
      until: now + FAILURE_WINDOW_MS,
      attempts: 1,
      reasons: { [reason]: 1 },
    }
    const name = key === OTHERS ? '(other addresses)' : email || '(no email)'
    // Counted before the write resolves, so failures arriving meanwhile count into this entry.
    c.id = this.write(req, 'anonymous', name, 'auth.sign-in-failed', key === OTHERS ? null : key || null, counted(c))
    if (key !== OTHERS) this.window.begun++
    this.counting.set(key, c)
    await c.id
  }

  private write(
    req: FastifyRequest,
    actor: string,
    actorName: string,
    action: string,
    target: string | null,
    diff: AuditChange[],
  ): Promise<number> {
    const store = this.store()
    if (!store) return Promise.resolve(0)
    const written = store.insert({
      actor,
      actorName: shown(actorName, MAX_NAME + MAX_EMAIL),
      remoteAddress: req.ip ?? null,
      userAgent: req.headers['user-agent']?.slice(0, MAX_USER_AGENT) ?? null,
      action,
      target,
      requestId: req.id,
      diff,
    })
    return written.catch((err: Error) => {
      req.log.error({ err }, 'could not write the audit entry')
      return 0
    })
  }
}
