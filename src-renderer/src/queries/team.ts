import { queryOptions } from '@tanstack/react-query'
import { queryClient } from '../api/query-client'
import {
  type MemberInput,
  type MemberPatch,
  type MemberView,
  type ServiceAccountInput,
  type ServiceAccountView,
  teamApi,
  type WorkspaceInput,
  type WorkspaceView,
} from '../api/team'

export const meKey = () => ['team', 'me'] as const
export const membersKey = () => ['team', 'members'] as const
export const serviceAccountsKey = () => ['team', 'service-accounts'] as const
export const workspacesKey = () => ['workspaces'] as const

/** The signed-in person's own account (two-factor state, sign-in source). */
export const meQuery = () => queryOptions({ queryKey: meKey(), queryFn: ({ signal }) => teamApi.me(signal) })

export const membersQuery = () =>
  queryOptions({ queryKey: membersKey(), queryFn: async ({ signal }) => (await teamApi.members(signal)).items })

export const serviceAccountsQuery = () =>
  queryOptions({
    queryKey: serviceAccountsKey(),
    queryFn: async ({ signal }) => (await teamApi.serviceAccounts(signal)).items,
  })

export const workspacesQuery = () =>
  queryOptions({ queryKey: workspacesKey(), queryFn: async ({ signal }) => (await teamApi.workspaces(signal)).items })

/** The new row goes into the list the gateway answers with, so it shows at once (no stale list after a create). */
export async function addMember(input: MemberInput): Promise<MemberView> {
  const added = await teamApi.addMember(input)
  await queryClient.invalidateQueries({ queryKey: membersKey() })
  return added
}

export async function updateMember(id: string, patch: MemberPatch): Promise<MemberView> {
  const saved = await teamApi.updateMember(id, patch)
  queryClient.setQueryData(membersKey(), (list: MemberView[] | undefined) =>
    list?.map((m) => (m.id === saved.id ? saved : m)),
  )
  return saved
}

/** The row's two-factor column turns off once the gateway has reset it. */
export async function resetMemberTotp(id: string): Promise<void> {
  await teamApi.resetMemberTotp(id)
  queryClient.setQueryData(membersKey(), (list: MemberView[] | undefined) =>
    list?.map((m) => (m.id === id ? { ...m, totp: false } : m)),
  )
}

export async function removeMember(id: string): Promise<void> {
  await teamApi.removeMember(id)
  queryClient.setQueryData(membersKey(), (list: MemberView[] | undefined) => list?.filter((m) => m.id !== id))
}

/** Create answers the token once; it never enters the cache, only the list row does. */
export async function createServiceAccount(
  input: ServiceAccountInput,
): Promise<ServiceAccountView & { token: string }> {
  const created = await teamApi.createServiceAccount(input)
  await queryClient.invalidateQueries({ queryKey: serviceAccountsKey() })
  return created
}

export async function deleteServiceAccount(id: string): Promise<void> {
  await teamApi.deleteServiceAccount(id)
  queryClient.setQueryData(serviceAccountsKey(), (list: ServiceAccountView[] | undefined) =>
    list?.filter((s) => s.id !== id),
  )
}

export async function saveWorkspace(id: string, input: WorkspaceInput): Promise<void> {
  await teamApi.saveWorkspace(id, input)
  await queryClient.invalidateQueries({ queryKey: workspacesKey() })
}

export async function deleteWorkspace(id: string): Promise<void> {
  await teamApi.deleteWorkspace(id)
  queryClient.setQueryData(workspacesKey(), (list: WorkspaceView[] | undefined) => list?.filter((w) => w.id !== id))
}
