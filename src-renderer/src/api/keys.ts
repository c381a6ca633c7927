import type { KeyInput, KeyItem, KeyUpdate, KeyWithSecret, ListPage } from '../../../src-shared/admin-api'
import { getJson, sendJson } from './client'

const enc = encodeURIComponent

/** The virtual keys: create and rotate answer with the secret, the only time it is ever sent. */
export const keysApi = {
  list: (signal?: AbortSignal) => getJson<ListPage<KeyItem>>('/admin/v1/keys', signal),
  create: (k: KeyInput) => sendJson<KeyWithSecret>('POST', '/admin/v1/keys', k),
  update: ({ name, ...fields }: KeyUpdate) => sendJson<KeyItem>('PUT', `/admin/v1/keys/${enc(name)}`, fields),
  rotate: (name: string) => sendJson<KeyWithSecret>('POST', `/admin/v1/keys/${enc(name)}/rotate`),
  revoke: (name: string) => sendJson<null>('DELETE', `/admin/v1/keys/${enc(name)}`),
}
