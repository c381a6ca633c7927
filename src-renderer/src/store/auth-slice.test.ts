import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import { authApi } from '../api/auth'
import { ApiError } from '../api/client'
import { type AuthSlice, createAuthSlice } from './auth-slice'

vi.mock('../api/auth', () => ({ authApi: { session: vi.fn(), login: vi.fn(), logout: vi.fn() } }))
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
})
