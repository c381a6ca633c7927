import { getJson, sendJson } from './client'
import type { SessionInfo } from './team'

/** The web UI's session with the gateway (an HttpOnly cookie the renderer never sees). */
export const authApi = {
  session: () => getJson<SessionInfo>('/auth/session'),
  /** 204 and the session cookie, or 401 when the token is not the admin token. */
  login: (token: string) => sendJson<null>('POST', '/auth/login', { token }),
  /** Team mode: 204 and the session cookie; 401 `invalid_credentials` or `totp_required`, 429 `too_many_attempts`. */
  loginPerson: (input: { email: string; password: string; totp?: string }) =>
    sendJson<null>('POST', '/auth/login', input),
  logout: () => sendJson<null>('POST', '/auth/logout'),
}
