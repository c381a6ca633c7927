import type { PrincipalView } from '../../src-shared/contract/team.js'

/**
 * Who an admin call acts as, set on every /admin request by the admin scope's guard (admin-auth.ts).
 * `via` says how it proved itself: the bearer token (the admin token or a service account's) or a web UI session.
 */
export interface Principal extends PrincipalView {
  via: 'token' | 'session'
}

/** Solo mode's only principal, and team mode's break-glass: whoever holds the install's admin token. */
export const adminTokenPrincipal = (via: Principal['via']): Principal => ({
  kind: 'admin-token',
  id: 'admin',
  name: 'admin',
  role: 'owner',
  workspaces: 'all',
  via,
})
