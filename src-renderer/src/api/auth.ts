import { getJson, sendJson } from './client'

/** The web UI's session with the gateway (an HttpOnly cookie the renderer never sees). */
export const authApi = {
  session: () => getJson<{ authenticated: boolean }>('/auth/session'),
  /** 204 and the session cookie, or 401 when the token is not the admin token. */
  login: (token: string) => sendJson<null>('POST', '/auth/login', { token }),
  logout: () => sendJson<null>('POST', '/auth/logout'),
}
