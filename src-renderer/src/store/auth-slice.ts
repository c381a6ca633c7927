import type { StateCreator } from 'zustand'
import { authApi } from '../api/auth'
import { ApiError, errorMessage, isDesktop } from '../api/client'

/** `checking` until the gateway has said whether this browser holds a session. */
export type AuthStatus = 'checking' | 'signed-in' | 'signed-out'

export interface AuthSlice {
  auth: AuthStatus
  signInError: string | null
  signingIn: boolean
  checkSession(): Promise<void>
  signIn(token: string): Promise<void>
  signOut(): Promise<void>
  /** The admin API refused a call: the session expired or the gateway restarted (sessions live in its memory). */
  sessionEnded(): void
}

/**
 * The gateway sends a used, expired or unknown sign-in link to `/?signin=link-invalid`: say so once, and
 * drop the flag from the address so a reload does not repeat it.
 */
function spentLinkNotice(): string | null {
  const params = new URLSearchParams(window.location.search)
  if (params.get('signin') !== 'link-invalid') return null
  params.delete('signin')
  const query = params.toString()
  window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`)
  return 'That sign-in link was already used or has expired. Paste the admin token instead.'
}

export const createAuthSlice: StateCreator<AuthSlice, [], [], AuthSlice> = (set, get) => ({
  auth: 'checking',
  signInError: null,
  signingIn: false,

  async checkSession() {
    // The desktop window holds the admin token from the preload bridge; it has nothing to sign in to.
    if (isDesktop()) return set({ auth: 'signed-in' })
    try {
      const { authenticated } = await authApi.session()
      set({ auth: authenticated ? 'signed-in' : 'signed-out', signInError: authenticated ? null : spentLinkNotice() })
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

  async signOut() {
    await authApi.logout()
    set({ auth: 'signed-out', signInError: null })
  },

  sessionEnded() {
    if (isDesktop() || get().auth !== 'signed-in') return
    set({ auth: 'signed-out', signInError: 'Your session ended. Sign in again.' })
  },
})
