import type { StateCreator } from 'zustand'
import { type Permission, ROLE_PERMISSIONS } from '../../../src-shared/contract/permissions'
import type { PrincipalView } from '../../../src-shared/contract/team'
import { authApi } from '../api/auth'
import { ApiError, errorMessage, isDesktop } from '../api/client'
import type { SessionInfo } from '../api/team'
import { chooseWorkspace, forgetWorkspace, restoreWorkspace } from '../api/workspace-choice'

/** `checking` until the gateway has said whether this browser holds a session. */
export type AuthStatus = 'checking' | 'signed-in' | 'signed-out'

export interface AuthSlice {
  auth: AuthStatus
  /** `solo` (one admin token) until the gateway says it runs for a team. */
  authMode: 'solo' | 'team'
  /** Who the team-mode session belongs to; null in solo mode and on the desktop (the admin token). */
  principal: PrincipalView | null
  /** What the signed-in person may do; null means everything (solo mode, the desktop's admin token). */
  permissions: string[] | null
  /** Team mode with single sign-on configured: the sign-in page's button label. */
  sso: { label: string } | null
  /** Team mode with no owner yet: only the setup link printed by `serve` gets further. */
  setupRequired: boolean
  /** The workspace chosen in the switcher, sent with every call; null: the person's first (or none in solo mode). */
  workspace: string | null
  /** The password was right and the account has two-factor authentication: the form asks for the code. */
  totpStep: boolean
  signInError: string | null
  signingIn: boolean
  checkSession(): Promise<void>
  signIn(token: string): Promise<void>
  /** Team mode: email and password, then the authenticator's code when the gateway asks for one. */
  signInPerson(email: string, password: string, totp?: string): Promise<void>
  /** Back from the code step to email and password. */
  cancelTotp(): void
  /** The switcher: later calls are made in `id` (null: the person's first workspace), remembered in this browser. */
  chooseWorkspace(id: string | null): void
  signOut(): Promise<void>
  /** The admin API refused a call: the session expired or the gateway restarted (sessions live in its memory). */
  sessionEnded(): void
}

/** True when the signed-in principal may use `permission` (board s8: the server enforces it; this only hides dead ends). */
export function canUse(state: Pick<AuthSlice, 'permissions'>, permission: Permission): boolean {
  return state.permissions === null || state.permissions.includes(permission)
}

const SSO_REASON_MAX = 200

/** Why single sign-on failed, by the reason code the gateway's callback sends (part C). */
const SSO_REASONS: Record<string, string> = {
  not_configured: 'this gateway has no single sign-on configured',
  provider_unreachable: 'the identity provider could not be reached; try again shortly',
  expired: 'the sign-in took too long or started in another browser; try again',
  state_mismatch: 'the answer did not belong to this sign-in; try again',
  idp_error: 'the identity provider refused or the sign-in was cancelled',
  invalid_response: 'the identity provider’s answer could not be verified',
  no_email: 'the identity provider sent no email address for you',
  email_unverified: 'your email address is not verified at the identity provider',
  email_taken: 'a local account already uses your email address; sign in with its password instead',
  no_role: 'none of your groups gives you a role here; ask an admin to add you to a group Switchyard maps',
  account_disabled: 'your account is disabled; ask an owner or admin',
}

/**
 * The gateway sends a used, expired or unknown sign-in link to `/?signin=link-invalid`, and a failed single
 * sign-on to `/?signin=sso-failed&reason=…`: say so once, and drop the flags from the address so a reload does
 * not repeat it.
 */
function arrivalNotice(): string | null {
  const params = new URLSearchParams(window.location.search)
  const flag = params.get('signin')
  if (flag !== 'link-invalid' && flag !== 'sso-failed') return null
  const reason = (params.get('reason') ?? '').slice(0, SSO_REASON_MAX)
  params.delete('signin')
  params.delete('reason')
  const query = params.toString()
  window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`)
  if (flag === 'link-invalid')
    return 'That sign-in link was already used or has expired. Paste the admin token instead.'
  return `Single sign-on did not sign you in: ${SSO_REASONS[reason] ?? (reason || 'no reason given')}.`
}

/** "2 minutes", "45 seconds": the wait a 429 asks for, rounded up so trying at the stated time works. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

function personSignInError(err: unknown, sentCode: boolean): string {
  if (err instanceof ApiError) {
    if (err.code === 'totp_required' && sentCode) return 'That code is not right or has expired. Enter the current one.'
    if (err.code === 'invalid_credentials' || err.status === 401) return 'Wrong email or password.'
    if (err.code === 'too_many_attempts' || err.status === 429) {
      const wait = err.retryAfter === null ? 'a while' : describeWait(err.retryAfter)
      return `Too many sign-in attempts. Try again in ${wait}.`
    }
  }
  return errorMessage(err)
}

/** Whose switcher choice a stored workspace is: one person's is not another's. */
const ownerOf = (p: PrincipalView | null | undefined): string | null => (p ? `${p.kind}:${p.id}` : null)

function fromSession(s: SessionInfo): Partial<AuthSlice> {
  const team = s.mode === 'team'
  return {
    workspace: restoreWorkspace(team && s.authenticated ? ownerOf(s.principal) : null),
    authMode: team ? 'team' : 'solo',
    principal: team ? (s.principal ?? null) : null,
    // The gateway's list is the truth; a gateway that sends none gets its role's table (the same contract).
    permissions:
      team && s.authenticated ? (s.permissions ?? (s.principal ? [...ROLE_PERMISSIONS[s.principal.role]] : [])) : null,
    sso: team ? (s.sso ?? null) : null,
    setupRequired: team && s.setupRequired === true,
  }
}

const SIGNED_OUT = { principal: null, permissions: null, totpStep: false, workspace: null } as const

export const createAuthSlice: StateCreator<AuthSlice, [], [], AuthSlice> = (set, get) => ({
  auth: 'checking',
  authMode: 'solo',
  principal: null,
  permissions: null,
  sso: null,
  setupRequired: false,
  workspace: null,
  totpStep: false,
  signInError: null,
  signingIn: false,

  async checkSession() {
    // The desktop window holds the admin token from the preload bridge; it has nothing to sign in to.
    if (isDesktop()) return set({ auth: 'signed-in' })
    try {
      const session = await authApi.session()
      const { authenticated } = session
      set({
        ...fromSession(session),
        auth: authenticated ? 'signed-in' : 'signed-out',
        signInError: authenticated ? null : arrivalNotice(),
      })
    } catch (err) {
      set({ auth: 'signed-out', signInError: errorMessage(err) })
    }
  },

  async signIn(token) {
    const trimmed = token.trim()
    if (!trimmed) return set({ signInError: 'Paste the admin token first.' })
    set({ signingIn: true, signInError: null })
    try {
      await authApi.login(trimmed)
      set({ auth: 'signed-in', signingIn: false })
    } catch (err) {
      const wrong = err instanceof ApiError && err.status === 401
      set({ signingIn: false, signInError: wrong ? 'That is not this gateway’s admin token.' : errorMessage(err) })
    }
  },

  async signInPerson(email, password, totp) {
    const address = email.trim()
    const code = totp?.replace(/\s+/g, '')
    if (!address || !password) return set({ signInError: 'Enter your email and password.' })
    if (totp !== undefined && !code) return set({ signInError: 'Enter the code from your authenticator app.' })
    set({ signingIn: true, signInError: null })
    try {
      await authApi.loginPerson({ email: address, password, ...(code ? { totp: code } : {}) })
      // Who signed in and what they may do come from the session, as after a reload.
      const session = await authApi.session()
      set({
        ...fromSession(session),
        auth: session.authenticated ? 'signed-in' : 'signed-out',
        signingIn: false,
        totpStep: false,
      })
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required' && !code) {
        return set({ signingIn: false, totpStep: true, signInError: null })
      }
      set({ signingIn: false, signInError: personSignInError(err, Boolean(code)) })
    }
  },

  cancelTotp() {
    set({ totpStep: false, signInError: null })
  },

  chooseWorkspace(id) {
    const owner = ownerOf(get().principal)
    if (owner === null) return
    chooseWorkspace(owner, id)
    set({ workspace: id })
  },

  async signOut() {
    await authApi.logout()
    forgetWorkspace()
    set({ ...SIGNED_OUT, auth: 'signed-out', signInError: null })
  },

  sessionEnded() {
    if (isDesktop() || get().auth !== 'signed-in') return
    set({ ...SIGNED_OUT, auth: 'signed-out', signInError: 'Your session ended. Sign in again.' })
  },
})
