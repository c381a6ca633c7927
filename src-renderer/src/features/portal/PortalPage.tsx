import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import type { PortalAnswer, PortalItem, PortalKey } from '../../../../src-shared/contract/portal'
import { errorMessage, getJson } from '../../api/client'
import { CopyButton } from '../../components/CopyButton'
import { useAppStore } from '../../store'
import { AccessRequestsPanel, RequestAccess } from './AccessRequests'
import './portal.css'

const KIND_LABEL: Record<PortalItem['kind'], string> = { route: 'Route', model: 'Model', prompt: 'Prompt' }

const usd = (n: number) => `$${n < 1 ? n.toFixed(3).replace(/0+$/, '').replace(/\.$/, '') : n.toFixed(2)}`
const tokens = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n))

function portalQuery(workspace: string | undefined) {
  const qs = workspace ? `?workspace=${encodeURIComponent(workspace)}` : ''
  return {
    queryKey: ['portal', workspace ?? null],
    queryFn: ({ signal }: { signal: AbortSignal }) => getJson<PortalAnswer>(`/admin/v1/portal${qs}`, signal),
  }
}

function priceText(p: PortalItem['price']): string {
  if (!p) return '—'
  // The price book charges nothing for models on this machine's own servers.
  if (p.source === 'local') return 'free (local)'
  return `${usd(p.inputPerMtokUsd)} / ${usd(p.outputPerMtokUsd)}`
}

/** What the whole workspace may spend and how fast: every key's calls (and the UI's made in it) count together. */
function workspaceLimitsText({ workspaceBudget: b, workspaceLimits: l }: PortalAnswer): string {
  const parts: string[] = []
  if (b) {
    const per = b.period === 'total' ? 'in total' : `this ${b.period}`
    parts.push(`${usd(b.spent)} of ${usd(b.usd)} spent ${per}`)
    parts.push(
      b.onExceed === 'block' ? 'calls are refused once spent' : `then ${b.onExceed.slice('downgrade:'.length)}`,
    )
  }
  if (l?.rpm) parts.push(`${l.rpm} req/min`)
  if (l?.tpm) parts.push(`${tokens(l.tpm)} tokens/min`)
  return `All its keys together: ${parts.join(' · ')}`
}

function limitsText(k: PortalKey): string {
  const parts: string[] = []
  if (k.limits?.rpm) parts.push(`${k.limits.rpm} req/min`)
  if (k.limits?.tpm) parts.push(`${tokens(k.limits.tpm)} tokens/min`)
  if (k.limits?.perUserRpm) parts.push(`${k.limits.perUserRpm} req/min per user`)
  if (k.budget) parts.push(`${usd(k.budget.usd)} per ${k.budget.period === 'total' ? 'lifetime' : k.budget.period}`)
  if (k.expiresAt) parts.push(`expires ${k.expiresAt.slice(0, 10)}`)
  return parts.length > 0 ? parts.join(' · ') : 'no limits'
}

function SnippetPanel({ item, keys }: { item: PortalItem; keys: PortalKey[] }) {
  const [tab, setTab] = useState(item.snippets[0]?.id)
  const snippet = item.snippets.find((s) => s.id === tab) ?? item.snippets[0]
  return (
    <section className="panel stack" aria-labelledby="portal-snippet-heading" data-testid="portal-snippets">
      <h2 id="portal-snippet-heading">
        <code>{item.kind === 'prompt' ? item.detail : item.model}</code>
      </h2>
      <p className="muted">
        <code>POST {item.endpoint}</code>. Replace <code>&lt;your key&gt;</code> with one of this workspace's keys
        {item.keys.length > 0 ? `: ${item.keys.join(', ')}` : ' (none of them may call this yet)'}.
      </p>
      <div role="tablist" aria-label="Snippets" className="portal-tabs">
        {item.snippets.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            id={`portal-tab-${s.id}`}
            aria-selected={s.id === snippet.id}
            aria-controls="portal-snippet"
            onClick={() => setTab(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      <div className="snippet" role="tabpanel" id="portal-snippet" aria-labelledby={`portal-tab-${snippet.id}`}>
        <div className="snippet-header">
          <span className="muted">{snippet.language}</span>
          <CopyButton text={snippet.code} label="Copy snippet" />
        </div>
        <pre data-testid={`portal-snippet-${snippet.id}`}>{snippet.code}</pre>
      </div>
      <RequestAccess item={item} keys={keys} />
    </section>
  )
}

/** What a workspace may call, priced, with its keys' limits and ready-to-paste snippets (GET /admin/v1/portal). */
export function PortalPage() {
  // It opens on the workspace chosen in the switcher (the page starts over when that changes).
  const chosen = useAppStore((s) => s.workspace)
  const [workspace, setWorkspace] = useState<string | undefined>(chosen ?? undefined)
  const [search, setSearch] = useState('')
  const [selected, setSelected] = useState<string | null>(null)
  const query = useQuery(portalQuery(workspace))
  const data = query.data
  const items = useMemo(() => {
    const q = search.trim().toLowerCase()
    const all = data?.items ?? []
    return q ? all.filter((i) => `${i.id} ${i.detail} ${i.kind}`.toLowerCase().includes(q)) : all
  }, [data, search])
  const item = items.find((i) => i.id === selected) ?? items[0]

  return (
    <main className="page">
      <header className="page-header">
        <h1>Portal</h1>
      </header>
      <section className="panel row" aria-label="Choose what to list" style={{ marginBottom: 14 }}>
        <label htmlFor="portal-workspace">Workspace</label>
        <select
          id="portal-workspace"
          value={data?.workspace.id ?? workspace ?? ''}
          onChange={(e) => {
            setWorkspace(e.target.value)
            setSelected(null)
          }}
        >
          {(data?.workspaces ?? []).map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
        <label htmlFor="portal-search">Search</label>
        <input
          id="portal-search"
          type="search"
          placeholder="route, model or prompt"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {data && (
          <span className="muted">
            Endpoint <code>{data.baseUrl}</code>
          </span>
        )}
      </section>
      {query.error && (
        <p className="error" role="alert">
          Could not load the portal: {errorMessage(query.error)}
        </p>
      )}
      {data && (
        <section className="panel stack" aria-label="Keys" style={{ marginBottom: 14 }}>
          <h2>Keys in {data.workspace.name}</h2>
          {(data.workspaceBudget || data.workspaceLimits) && (
            <p data-testid="portal-workspace-budget">{workspaceLimitsText(data)}</p>
          )}
          {data.keys.length === 0 ? (
            <p className="muted">This workspace has no keys yet: ask an admin for one.</p>
          ) : (
            <ul className="portal-keys" data-testid="portal-keys">
              {data.keys.map((k) => (
                <li key={k.name}>
                  <code>{k.name}</code> — {limitsText(k)}
                  {k.models && <span className="muted"> · models {k.models.join(', ')}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {data && (
        <div className="portal-layout">
          <table className="panel portal-items" aria-label="Routes, models and prompts">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Input / output per 1M</th>
                <th scope="col">Context</th>
                <th scope="col">Keys</th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    Nothing matches.
                  </td>
                </tr>
              )}
              {items.map((i) => (
                <tr
                  key={i.id}
                  aria-selected={i.id === item?.id}
                  className={i.id === item?.id ? 'selected' : undefined}
                  data-testid={`portal-item-${i.id}`}
                >
                  <td>
                    <button type="button" className="link" onClick={() => setSelected(i.id)}>
                      {i.kind === 'prompt' ? i.detail : i.id}
                    </button>
                    {i.kind !== 'model' && <div className="muted small">{i.kind === 'route' ? i.detail : i.model}</div>}
                  </td>
                  <td>{KIND_LABEL[i.kind]}</td>
                  <td>{priceText(i.price)}</td>
                  <td>{i.contextWindow ? tokens(i.contextWindow) : '—'}</td>
                  <td>{i.keys.length > 0 ? i.keys.join(', ') : <span className="muted">none</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {item && <SnippetPanel key={`${data.workspace.id}/${item.id}`} item={item} keys={data.keys} />}
        </div>
      )}
      {data && <AccessRequestsPanel />}
    </main>
  )
}
