import type { McpServerItem } from '../../../../src-shared/contract/mcp'
import { countNoun } from '../../count-noun'
import { formatTime } from '../../format'

/** What a server offers and why it last failed: its tools, prompts, resources, recent errors and stderr tail. */
export function ServerDetail({ s }: { s: McpServerItem }) {
  const { tools, prompts, resources, errors, stderrTail } = s.status
  const id = `mcp-detail-${s.name}`
  return (
    <div className="mcp-detail stack" id={id} data-testid="mcp-detail">
      <section aria-labelledby={`${id}-tools`}>
        <h3 id={`${id}-tools`}>Tools ({tools.length})</h3>
        {tools.length === 0 ? (
          <p className="muted">
            {s.status.state === 'ready' ? 'This server offers no tools.' : 'Tools are listed once the server is ready.'}
          </p>
        ) : (
          <table aria-label={`Tools of ${s.name}`}>
            <thead>
              <tr>
                <th>Tool</th>
                <th>Description</th>
                <th>Confirmation</th>
              </tr>
            </thead>
            <tbody>
              {tools.map((t) => (
                <tr key={t.name}>
                  <td>
                    <code>{t.name}</code>
                  </td>
                  <td>{t.description ?? t.title ?? '—'}</td>
                  <td>
                    {t.needsConfirmation ? (
                      <span className="badge badge-warn" title="Only keys allowed to confirm may call it">
                        ⚠ needs confirmation
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <div className="mcp-detail-columns">
        <section aria-labelledby={`${id}-prompts`}>
          <h3 id={`${id}-prompts`}>Prompts ({prompts.length})</h3>
          {prompts.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul className="mcp-list">
              {prompts.map((p) => (
                <li key={p.name}>
                  <code>{p.name}</code>
                  {p.arguments?.length ? (
                    <span className="muted"> ({p.arguments.map((a) => a.name).join(', ')})</span>
                  ) : null}
                  {p.description && <div className="muted">{p.description}</div>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby={`${id}-resources`}>
          <h3 id={`${id}-resources`}>Resources ({resources.length})</h3>
          {resources.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul className="mcp-list">
              {resources.map((r) => (
                <li key={r.uri}>
                  <code>{r.uri}</code>
                  {(r.title ?? r.name) && <span className="muted"> {r.title ?? r.name}</span>}
                  {r.mimeType && <span className="muted"> · {r.mimeType}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section aria-labelledby={`${id}-errors`}>
        <h3 id={`${id}-errors`}>Recent errors ({errors.length})</h3>
        {errors.length === 0 ? (
          <p className="muted">None since the gateway started.</p>
        ) : (
          <ul className="mcp-list">
            {[...errors].reverse().map((e, i) => (
              // Newest first. The list is replaced whole on each refresh and two errors may share a millisecond
              // and a message, so the position is part of the key.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <li key={`${e.at}-${i}`}>
                <time dateTime={new Date(e.at).toISOString()} className="muted">
                  {formatTime(new Date(e.at).toISOString())}
                </time>{' '}
                <span className="error">{e.message}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {s.kind === 'stdio' && (
        <section aria-labelledby={`${id}-stderr`}>
          <h3 id={`${id}-stderr`}>Standard error ({countNoun(stderrTail.length, 'line')}, newest last)</h3>
          {stderrTail.length === 0 ? (
            <p className="muted">Nothing written to stderr.</p>
          ) : (
            <pre className="code-block">{stderrTail.join('\n')}</pre>
          )}
        </section>
      )}
    </div>
  )
}
