import type { ProviderInput, ProviderTypeSettings } from '../../../../src-shared/admin-api'

/*
 * The settings of a provider's own type (the gateway's provider registry states which: GET
 * /admin/v1/provider-types' `settings`), as the provider form edits them. Today only azure-openai has some:
 * `deployments` (model → deployment) and `apiVersion`.
 */

/** The form's text for each type setting: deployments one `model = deployment` a line. */
export interface TypeSettingsDraft {
  deployments: string
  apiVersion: string
}

const API_VERSION = /^(v1|\d{4}-\d{2}-\d{2}(-preview)?)$/
const DEPLOYMENT_LINE = /^([^=\s]+)\s*=\s*(\S+)$/

export function typeSettingsDraft(settings: ProviderTypeSettings | undefined): TypeSettingsDraft {
  return {
    deployments: Object.entries(settings?.deployments ?? {})
      .map(([model, deployment]) => `${model} = ${deployment}`)
      .join('\n'),
    apiVersion: settings?.apiVersion ?? '',
  }
}

/**
 * The body fields for the settings `declared` by the type, with the problems at their field. An empty field is
 * `null`: on a change it removes the setting (the type's default applies), on a create it is left out.
 */
export function typeSettingsInput(
  draft: TypeSettingsDraft,
  declared: readonly string[],
): { input: Pick<ProviderInput, 'deployments' | 'apiVersion'>; errors: Record<string, string> } {
  const input: Pick<ProviderInput, 'deployments' | 'apiVersion'> = {}
  const errors: Record<string, string> = {}
  if (declared.includes('apiVersion')) {
    const version = draft.apiVersion.trim()
    if (version && !API_VERSION.test(version)) errors.apiVersion = 'A date like 2024-10-21 (or -preview), or v1.'
    input.apiVersion = version || null
  }
  if (declared.includes('deployments')) {
    const lines = draft.deployments
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    const pairs = lines.map((l) => DEPLOYMENT_LINE.exec(l))
    if (pairs.some((p) => p === null)) errors.deployments = 'One `model = deployment` a line.'
    input.deployments = lines.length ? Object.fromEntries(pairs.map((p) => [p?.[1], p?.[2]])) : null
  }
  return { input, errors }
}

export function TypeSettingsFields(props: {
  declared: readonly string[]
  draft: TypeSettingsDraft
  errors: Record<string, string>
  onChange(draft: TypeSettingsDraft): void
}) {
  const { declared, draft, errors, onChange } = props
  return (
    <>
      {declared.includes('deployments') && (
        <div className="field">
          <label htmlFor="pf-deployments">Deployments (optional)</label>
          <textarea
            id="pf-deployments"
            rows={3}
            value={draft.deployments}
            placeholder="gpt-4o = gpt4o-prod"
            onChange={(e) => onChange({ ...draft, deployments: e.target.value })}
            aria-invalid={Boolean(errors.deployments)}
            aria-describedby="pf-deployments-hint"
          />
          <span id="pf-deployments-hint" className={errors.deployments ? 'field-error' : 'field-hint'}>
            {errors.deployments ?? 'A model is called on the deployment of its own name unless mapped here.'}
          </span>
        </div>
      )}
      {declared.includes('apiVersion') && (
        <div className="field">
          <label htmlFor="pf-api-version">API version (optional)</label>
          <input
            id="pf-api-version"
            value={draft.apiVersion}
            placeholder="2024-10-21"
            onChange={(e) => onChange({ ...draft, apiVersion: e.target.value })}
            aria-invalid={Boolean(errors.apiVersion)}
            aria-describedby="pf-api-version-hint"
          />
          <span id="pf-api-version-hint" className={errors.apiVersion ? 'field-error' : 'field-hint'}>
            {errors.apiVersion ?? 'A dated version, or v1 for the version-less v1 API. Empty: the gateway’s default.'}
          </span>
        </div>
      )}
    </>
  )
}
