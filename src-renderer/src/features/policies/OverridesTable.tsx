import type { PolicyOverride, PolicySection } from '../../../../src-shared/admin-api'

/**
 * The routes and keys that set their own redaction or cache, read-only: they live in the config file
 * (`routes.<name>.<section>`, `keys[].<section>`), and each field they set replaces the gateway's.
 */
export function OverridesTable<S extends PolicySection>(props: {
  section: S
  overrides: PolicyOverride<S>[]
  describe(override: PolicyOverride<S>['override']): string
}) {
  const { section, overrides } = props
  const title = `Routes and keys with their own ${section}`
  return (
    <section className="panel" aria-labelledby={`${section}-overrides-title`}>
      <h2 id={`${section}-overrides-title`}>{title}</h2>
      {overrides.length === 0 ? (
        <p className="muted">None: the settings above apply to every call.</p>
      ) : (
        <table aria-label={title} className="policy-table">
          <thead>
            <tr>
              <th scope="col">Applies to</th>
              <th scope="col">Name</th>
              <th scope="col">Its own settings</th>
            </tr>
          </thead>
          <tbody>
            {overrides.map((o) => (
              <tr key={`${o.scope}:${o.name}`} data-testid="policy-override" data-scope={o.scope} data-name={o.name}>
                <td>{o.scope === 'route' ? 'Route' : 'Key'}</td>
                <th scope="row" className="mono">
                  {o.name}
                </th>
                <td>{props.describe(o.override)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="field-hint">
        Read-only here: they are set in the config file (<code>routes.NAME.{section}</code>,{' '}
        <code>keys[].{section}</code>). Each field one sets replaces the gateway's for its calls; a key's wins over a
        route's.
      </p>
    </section>
  )
}
