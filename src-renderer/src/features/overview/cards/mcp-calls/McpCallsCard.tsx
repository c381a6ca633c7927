import { formatCount, formatPercent } from '../../../../format'
import { Stat } from '../../Stat'
import { logsHref, type OverviewCard, type OverviewCardProps } from '../card'
import './mcp-calls.css'

/**
 * Tool calls through the MCP hub in the range: how many, how many failed, and the busiest servers and tools, each
 * count opening its rows in Logs. Kept apart from the model cards: a tool call is not a model request.
 */
function McpCallsCard({ data, range }: OverviewCardProps) {
  const { calls, errors, servers, tools } = data.mcp
  const tool = { kind: 'mcp' }
  return (
    <section className="panel mcp-calls-card" aria-labelledby="mcp-calls-heading" data-testid="card-mcp-calls">
      <div className="panel-header">
        <h2 id="mcp-calls-heading">MCP tool calls</h2>
      </div>
      <dl className="stat-row">
        <Stat id="mcp-calls" label="Calls" value={calls} text={formatCount(calls)} href={logsHref(range, tool)} />
        <Stat
          id="mcp-errors"
          label="Errors"
          value={errors}
          text={formatCount(errors)}
          href={logsHref(range, { ...tool, status: 'error' })}
        />
      </dl>
      {calls === 0 ? (
        <p className="muted">
          No tool calls through the gateway's <code>/mcp</code> endpoint in this range. Servers are added on the MCP
          servers page (<code>mcp:</code> in the config).
        </p>
      ) : (
        <div className="mcp-calls-tables">
          <table aria-label="Busiest MCP servers">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col" className="num">
                  Calls
                </th>
                <th scope="col" className="num">
                  Errors
                </th>
              </tr>
            </thead>
            <tbody>
              {servers.map((s) => (
                <tr key={s.server} data-testid={`mcp-server-${s.server}`}>
                  <td>
                    {s.server === '' ? (
                      <span className="muted" title="Calls to a tool no configured server offers">
                        no such server
                      </span>
                    ) : (
                      <a href={logsHref(range, { ...tool, provider: s.server })}>{s.server}</a>
                    )}
                  </td>
                  <td className="num">{formatCount(s.calls)}</td>
                  <td className={s.errors > 0 ? 'num failing' : 'num'} title={formatPercent(s.errors, s.calls)}>
                    {formatCount(s.errors)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table aria-label="Busiest MCP tools">
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col" className="num">
                  Calls
                </th>
                <th scope="col" className="num">
                  Errors
                </th>
              </tr>
            </thead>
            <tbody>
              {tools.map((t) => (
                <tr key={`${t.server}/${t.tool}`} data-testid={`mcp-tool-${t.server}__${t.tool}`}>
                  <td>
                    {t.server === '' ? (
                      <span title="No configured server offers this tool">{t.tool}</span>
                    ) : (
                      <a href={logsHref(range, { ...tool, provider: t.server, model: t.tool })}>
                        <span className="muted">{t.server}</span> {t.tool}
                      </a>
                    )}
                  </td>
                  <td className="num">{formatCount(t.calls)}</td>
                  <td className={t.errors > 0 ? 'num failing' : 'num'} title={formatPercent(t.errors, t.calls)}>
                    {formatCount(t.errors)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

export const mcpCallsCard: OverviewCard = { id: 'mcp-calls', wide: true, Card: McpCallsCard }
