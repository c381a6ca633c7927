import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { ListPage } from '../../../../src-shared/contract/common'
import type { AccessRequest, PortalItem, PortalKey } from '../../../../src-shared/contract/portal'
import { errorMessage, getJson, sendJson } from '../../api/client'
import { useAppStore } from '../../store'
import { canUse } from '../../store/auth-slice'

const REQUESTS_KEY = ['portal-requests']

/** "Request access" for an item some of the workspace's keys may not call yet. */
export function RequestAccess({ item, keys }: { item: PortalItem; keys: PortalKey[] }) {
  const missing = keys.filter((k) => !item.keys.includes(k.name))
  const [key, setKey] = useState(missing[0]?.name ?? '')
  const [reason, setReason] = useState('')
  const qc = useQueryClient()
  const send = useMutation({
    mutationFn: () => sendJson<AccessRequest>('POST', '/admin/v1/portal/requests', { model: item.model, key, reason }),
    onSuccess: () => qc.invalidateQueries({ queryKey: REQUESTS_KEY }),
  })
  if (item.kind === 'prompt' || item.model === null || missing.length === 0) return null
  return (
    <form
      className="stack"
      aria-label="Request access"
      onSubmit={(e) => {
        e.preventDefault()
        send.mutate()
      }}
    >
      <div className="row">
        <label htmlFor="portal-request-key">Key</label>
        <select id="portal-request-key" value={key} onChange={(e) => setKey(e.target.value)}>
          {missing.map((k) => (
            <option key={k.name} value={k.name}>
              {k.name}
            </option>
          ))}
        </select>
        <label htmlFor="portal-request-reason">Reason</label>
        <input id="portal-request-reason" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        <button type="submit" disabled={send.isPending}>
          Request access
        </button>
      </div>
      {send.isSuccess && <p role="status">Requested: an admin decides.</p>}
      {send.error && (
        <p role="alert" className="error">
          {errorMessage(send.error)}
        </p>
      )}
    </form>
  )
}

/** Requests: one's own, or every one with approve and deny for those who decide. */
export function AccessRequestsPanel() {
  const permissions = useAppStore((s) => s.permissions)
  const decides = canUse({ permissions }, 'access:decide')
  const qc = useQueryClient()
  const list = useQuery({
    queryKey: REQUESTS_KEY,
    queryFn: ({ signal }) => getJson<ListPage<AccessRequest>>('/admin/v1/portal/requests', signal),
  })
  const decide = useMutation({
    mutationFn: ({ id, verb }: { id: string; verb: 'approve' | 'deny' }) =>
      sendJson<AccessRequest>('POST', `/admin/v1/portal/requests/${encodeURIComponent(id)}/${verb}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: REQUESTS_KEY })
      void qc.invalidateQueries({ queryKey: ['portal'] })
    },
  })
  const items = list.data?.items ?? []
  return (
    <section className="panel stack" aria-labelledby="portal-requests-heading" style={{ marginTop: 14 }}>
      <h2 id="portal-requests-heading">Access requests</h2>
      {list.error && <p className="error">{errorMessage(list.error)}</p>}
      {items.length === 0 ? (
        <p className="muted">No requests.</p>
      ) : (
        <table aria-label="Access requests">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Key</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid={`portal-request-${r.model}`}>
                <td>
                  <code>{r.model}</code>
                </td>
                <td>{r.key}</td>
                <td>{r.requesterName}</td>
                <td>{r.reason}</td>
                <td>
                  {r.status === 'pending' && decides ? (
                    <span className="row">
                      <button type="button" onClick={() => decide.mutate({ id: r.id, verb: 'approve' })}>
                        Approve
                      </button>
                      <button type="button" onClick={() => decide.mutate({ id: r.id, verb: 'deny' })}>
                        Deny
                      </button>
                    </span>
                  ) : (
                    <span>
                      {r.status}
                      {r.decidedByName && ` by ${r.decidedByName}`}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {decide.error && (
        <p role="alert" className="error">
          {errorMessage(decide.error)}
        </p>
      )}
    </section>
  )
}
