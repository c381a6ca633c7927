import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { PrincipalView } from '../../../src-shared/contract/team'
import { authApi } from '../api/auth'
import { ApiError } from '../api/client'
import { type AuthSlice, canUse, createAuthSlice, describeWait } from './auth-slice'

vi.mock('../api/auth', () => ({
  authApi: { session: vi.fn(), login: vi.fn(), loginPerson: vi.fn(), logout: vi.fn() },
}))
const api = vi.mocked(authApi)
const newStore = () => createStore<AuthSlice>()(createAuthSlice)

describe('auth slice', () => {
  beforeEach(() => vi.resetAllMocks())
  afterEach(() => vi.unstubAllGlobals())

  it('asks the gateway whether this browser holds a session', async () => {
    const store = newStore()
    expect(store.getState().auth).toBe('checking')
    api.session.mockResolvedValue({ authenticated: false })
    await store.getState().checkSession()
    expect(store.getState().auth).toBe('signed-out')
    api.session.mockResolvedValue({ authenticated: true })
    await store.getState().checkSession()
    expect(store.getState().auth).toBe('signed-in')
  })

  it('signs in with the trimmed token and says plainly when it is the wrong one', async () => {
    const store = newStore()
    api.login.mockRejectedValueOnce(new ApiError(401, 'invalid admin token'))
    await store.getState().signIn('nope')
    expect(store.getState()).toMatchObject({ auth: 'checking', signingIn: false })
    expect(store.getState().signInError).toMatch(/not this gateway’s admin token/)
    api.login.mockResolvedValueOnce(null)
    await store.getState().signIn('  right-token\n')
    expect(api.login).toHaveBeenLastCalledWith('right-token')
    expect(store.getState()).toMatchObject({ auth: 'signed-in', signInError: null })
  })

  it('an empty field is not sent', async () => {
    const store = newStore()
    await store.getState().signIn('   ')
    expect(api.login).not.toHaveBeenCalled()
    expect(store.getState().signInError).toBeTruthy()
  })

  it('sign-out ends the session at the gateway first; a refused admin call ends it too', async () => {
    const store = newStore()
    api.session.mockResolvedValue({ authenticated: true })
    await store.getState().checkSession()
    api.logout.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(store.getState().signOut()).rejects.toThrow()
    expect(store.getState().auth).toBe('signed-in')
    api.logout.mockResolvedValueOnce(null)
    await store.getState().signOut()
    expect(store.getState().auth).toBe('signed-out')
    await store.getState().checkSession()
    store.getState().sessionEnded()
    expect(store.getState()).toMatchObject({ auth: 'signed-out', signInError: 'Your session ended. Sign in again.' })
  })

  it('the desktop window is signed in by the bridge and never shown the sign-in page', async () => {
    vi.stubGlobal('window', { desktop: {} })
    const store = newStore()
    await store.getState().checkSession()
    store.getState().sessionEnded()
    expect(store.getState().auth).toBe('signed-in')
    expect(api.session).not.toHaveBeenCalled()
  })

  it('team mode: the session names who is signed in and what they may do', async () => {
    const store = newStore()
    const principal: PrincipalView = {
      kind: 'person',
      id: 'a1',
      name: 'Dev',
      role: 'developer',
      workspaces: ['default'],
    }
    api.session.mockResolvedValue({
      mode: 'team',
      authenticated: true,
      principal,
      permissions: ['logs:read'],
      sso: null,
    })
    await store.getState().checkSession()
    expect(store.getState()).toMatchObject({ auth: 'signed-in', authMode: 'team', principal })
    expect(canUse(store.getState(), 'logs:read')).toBe(true)
    expect(canUse(store.getState(), 'members:manage')).toBe(false)
    // Solo mode (and the desktop) may do everything.
    api.session.mockResolvedValue({ mode: 'solo', authenticated: true })
    await store.getState().checkSession()
    expect(store.getState()).toMatchObject({ authMode: 'solo', principal: null, permissions: null })
    expect(canUse(store.getState(), 'members:manage')).toBe(true)
  })

  it('team sign-in asks for the code only when the gateway says the account has one', async () => {
    const store = newStore()
    api.loginPerson.mockRejectedValueOnce(new ApiError(401, 'code needed', null, null, 'totp_required'))
    await store.getState().signInPerson(' ada@example.com ', 'a long password')
    expect(store.getState()).toMatchObject({ totpStep: true, signInError: null, signingIn: false })
    api.loginPerson.mockRejectedValueOnce(new ApiError(401, 'code needed', null, null, 'totp_required'))
    await store.getState().signInPerson('ada@example.com', 'a long password', '000 000')
    expect(api.loginPerson).toHaveBeenLastCalledWith({
      email: 'ada@example.com',
      password: 'a long password',
      totp: '000000',
    })
    expect(store.getState().signInError).toMatch(/code is not right/)
    api.loginPerson.mockResolvedValueOnce(null)
    api.session.mockResolvedValueOnce({ mode: 'team', authenticated: true, permissions: [] })
    await store.getState().signInPerson('ada@example.com', 'a long password', '123456')
    expect(store.getState()).toMatchObject({ auth: 'signed-in', totpStep: false, signInError: null })
  })

  it('team sign-in says which of wrong credentials or too many attempts, with the wait', async () => {
    const store = newStore()
    api.loginPerson.mockRejectedValueOnce(new ApiError(401, 'no', null, null, 'invalid_credentials'))
    await store.getState().signInPerson('a@b.c', 'wrong password')
    expect(store.getState().signInError).toBe('Wrong email or password.')
    api.loginPerson.mockRejectedValueOnce(new ApiError(429, 'slow down', null, null, 'too_many_attempts', 125))
    await store.getState().signInPerson('a@b.c', 'wrong password')
    expect(store.getState().signInError).toBe('Too many sign-in attempts. Try again in 3 minutes.')
    expect(describeWait(1)).toBe('1 second')
    expect(describeWait(60)).toBe('1 minute')
    await store.getState().signInPerson('', '')
    expect(api.loginPerson).toHaveBeenCalledTimes(2)
  })
})
