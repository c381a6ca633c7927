import type { ListPage } from '../../../src-shared/admin-api'
import type {
  AuthSession,
  Me,
  Member,
  MemberCreateBody,
  MemberPatchBody,
  ServiceAccount,
  ServiceAccountCreateBody,
  ServiceAccountCreated,
  TeamEnableBody,
  TotpStart,
} from '../../../src-shared/contract/team'
import type { WorkspaceItem, WorkspacePutBody } from '../../../src-shared/contract/workspaces'
import { getJson, sendJson } from './client'

const enc = encodeURIComponent

/** GET /auth/session: solo answers `{ mode: 'solo', authenticated }`; team mode adds who is signed in and what they may do. */
export type SessionInfo = Omit<AuthSession, 'mode'> & { mode?: AuthSession['mode'] }
export type MemberView = Member
export type MemberInput = MemberCreateBody
export type MemberPatch = MemberPatchBody
export type ServiceAccountView = ServiceAccount
export type ServiceAccountInput = ServiceAccountCreateBody
/** A workspace with its key count (part D's contract). */
export type WorkspaceView = WorkspaceItem
/** A PUT's fields: those left out stay as they are, `null` removes one. */
export type WorkspaceInput = WorkspacePutBody
export type TeamOwnerInput = TeamEnableBody

/** Team mode's sign-in, first owner, own account and member management (board s8, issue 21). */
export const teamApi = {
  setup: (input: TeamOwnerInput & { token: string }) => sendJson<null>('POST', '/auth/setup', input),
  enable: (input: TeamOwnerInput) => sendJson<null>('POST', '/admin/v1/team/enable', input),

  me: (signal?: AbortSignal) => getJson<Me>('/admin/v1/me', signal),
  changePassword: (current: string, next: string) => sendJson<null>('POST', '/admin/v1/me/password', { current, next }),
  startTotp: () => sendJson<TotpStart>('POST', '/admin/v1/me/totp'),
  confirmTotp: (code: string) => sendJson<null>('PUT', '/admin/v1/me/totp', { code }),
  disableTotp: (code: string) => sendJson<null>('DELETE', '/admin/v1/me/totp', { code }),

  members: (signal?: AbortSignal) => getJson<ListPage<MemberView>>('/admin/v1/team/members', signal),
  addMember: (input: MemberInput) => sendJson<MemberView>('POST', '/admin/v1/team/members', input),
  updateMember: (id: string, patch: MemberPatch) =>
    sendJson<MemberView>('PATCH', `/admin/v1/team/members/${enc(id)}`, patch),
  removeMember: (id: string) => sendJson<null>('DELETE', `/admin/v1/team/members/${enc(id)}`),
  resetPassword: (id: string, password: string) =>
    sendJson<null>('POST', `/admin/v1/team/members/${enc(id)}/password`, { password }),
  signOutMember: (id: string) => sendJson<null>('POST', `/admin/v1/team/members/${enc(id)}/sign-out`),
  resetMemberTotp: (id: string) => sendJson<null>('DELETE', `/admin/v1/team/members/${enc(id)}/totp`),

  serviceAccounts: (signal?: AbortSignal) =>
    getJson<ListPage<ServiceAccountView>>('/admin/v1/team/service-accounts', signal),
  createServiceAccount: (input: ServiceAccountInput) =>
    sendJson<ServiceAccountCreated>('POST', '/admin/v1/team/service-accounts', input),
  deleteServiceAccount: (id: string) => sendJson<null>('DELETE', `/admin/v1/team/service-accounts/${enc(id)}`),

  workspaces: (signal?: AbortSignal) => getJson<ListPage<WorkspaceView>>('/admin/v1/workspaces', signal),
  saveWorkspace: (id: string, input: WorkspaceInput) =>
    sendJson<WorkspaceView>('PUT', `/admin/v1/workspaces/${enc(id)}`, input),
  deleteWorkspace: (id: string) => sendJson<null>('DELETE', `/admin/v1/workspaces/${enc(id)}`),
}
