import type { LogDetail } from '../../../../src-shared/admin-api'
import { GUARDRAIL_ACTION, GuardrailBadge } from '../../components/ProtectionBadges'
import { entityLabel, formatCount, UNKNOWN } from '../../format'

/** Exact dollars, as everywhere in the drawer (ui.md: 6 decimals in detail). */
const exactUsd = (v: number) => `$${v.toFixed(6)}`

function Redaction({ d }: { d: LogDetail }) {
  const entries = Object.entries(d.redactions).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
  if (entries.length === 0) return <p className="muted">Nothing was redacted from this request.</p>
  return (
    <>
      <p>Replaced with placeholders before the request left this machine:</p>
      <ul className="entity-list" aria-label="Redacted entities">
        {entries.map(([type, n]) => (
          <li key={type} data-entity={type} data-count={n}>
            {entityLabel(type)} ×{formatCount(n)}
          </li>
        ))}
      </ul>
      <p className="field-hint">Only the type and count of each are kept: the gateway never stores the values.</p>
    </>
  )
}

function Guardrails({ d }: { d: LogDetail }) {
  if (d.guardrails.length === 0) return <p className="muted">No guardrail check fired on this call.</p>
  return (
    <table aria-label="Guardrail hits">
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Check</th>
          <th scope="col">Action</th>
          <th scope="col" className="num">
            Score
          </th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {d.guardrails.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: hits are stored in the order they fired and never reordered
          <tr key={i} data-testid="guardrail-hit">
            <td>{h.stage}</td>
            <td>
              {h.check}
              {h.check !== h.type && <span className="muted"> ({h.type})</span>}
            </td>
            <td>
              <GuardrailBadge action={h.action} />
            </td>
            <td className="num">{h.score === undefined ? UNKNOWN : h.score.toFixed(2)}</td>
            <td className="guardrail-detail">{h.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Cache({ d }: { d: LogDetail }) {
  if (!d.isCacheHit) return <p className="muted">Not served from the cache: the provider answered.</p>
  return (
    <p>
      Served from the gateway's cache; no provider was called.{' '}
      {d.cacheSavedUsd === null ? (
        <span className="muted">What it saved is unknown: there is no price for this model.</span>
      ) : (
        <>
          Saved <strong data-testid="cache-saved">{exactUsd(d.cacheSavedUsd)}</strong>, what{' '}
          {d.provider ?? 'the provider'}/{d.model ?? '?'} would have charged.
        </>
      )}
    </p>
  )
}

/** What redaction, guardrails and the cache did to one call. */
export function ProtectionPanel({ d }: { d: LogDetail }) {
  const strongest = d.guardrailAction ? GUARDRAIL_ACTION[d.guardrailAction].explain : null
  return (
    <div className="stack protection-panel" data-testid="protection">
      <section aria-labelledby="protection-redaction">
        <h3 id="protection-redaction">Redaction</h3>
        <Redaction d={d} />
      </section>
      <section aria-labelledby="protection-guardrails">
        <h3 id="protection-guardrails">Guardrails</h3>
        {strongest && <p>{strongest}.</p>}
        <Guardrails d={d} />
      </section>
      <section aria-labelledby="protection-cache">
        <h3 id="protection-cache">Cache</h3>
        <Cache d={d} />
      </section>
    </div>
  )
}
