import { GuardrailBadge } from '../../../../components/ProtectionBadges'
import { formatCount, formatEntityCounts } from '../../../../format'
import { Stat } from '../../Stat'
import { logsHref, type OverviewCard, type OverviewCardProps } from '../card'
import './guardrails.css'

const TOP_CHECKS = 5

/** Guardrail blocks and flags and redacted calls in the range, each count opening its rows in Logs. */
function GuardrailsCard({ data, range }: OverviewCardProps) {
  const { totals: t, byGuardrail, byRedaction } = data.overall
  const quiet = byGuardrail.length === 0 && byRedaction.length === 0
  return (
    <section className="panel protection-card" aria-labelledby="guardrails-card-heading" data-testid="card-guardrails">
      <div className="panel-header">
        <h2 id="guardrails-card-heading">Guardrails</h2>
      </div>
      <dl className="stat-row">
        <Stat
          id="guardrail-blocked"
          label="Blocked"
          value={t.guardrailBlocked}
          text={formatCount(t.guardrailBlocked)}
          href={logsHref(range, { guardrail: 'block' })}
        />
        <Stat
          id="guardrail-flagged"
          label="Flagged"
          value={t.guardrailFlagged}
          text={formatCount(t.guardrailFlagged)}
          href={logsHref(range, { guardrail: 'flag' })}
        />
        <Stat
          id="redacted-calls"
          label="Redacted calls"
          value={t.redactedCalls}
          text={formatCount(t.redactedCalls)}
          href={logsHref(range, { redacted: 'true' })}
        />
      </dl>
      {quiet ? (
        <p className="muted">
          No guardrail fired and nothing was redacted in this range. Guardrails are set per route (
          <code>guardrails:</code>) and redaction with <code>redaction:</code> in the config.
        </p>
      ) : (
        <>
          {byGuardrail.length > 0 && (
            <table aria-label="Guardrail checks that fired">
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Action</th>
                  <th scope="col" className="num">
                    Calls
                  </th>
                </tr>
              </thead>
              <tbody>
                {byGuardrail.slice(0, TOP_CHECKS).map((g) => (
                  <tr key={`${g.check}:${g.stage}:${g.action}`}>
                    <td>{g.check}</td>
                    <td>{g.stage}</td>
                    <td>
                      <GuardrailBadge action={g.action} />
                    </td>
                    <td className="num">{formatCount(g.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {byRedaction.length > 0 && (
            <p data-testid="redacted-entities">
              <span className="muted">Redacted: </span>
              {formatEntityCounts(Object.fromEntries(byRedaction.map((r) => [r.type, r.count])))}
            </p>
          )}
        </>
      )}
    </section>
  )
}

export const guardrailsCard: OverviewCard = { id: 'guardrails', wide: false, Card: GuardrailsCard }
