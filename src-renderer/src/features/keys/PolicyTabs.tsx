import { navigate, useHashLocation } from '../../app/router'

/** The tabs of Keys & Policies (ui.md §2); the open one lives in the URL (`#/keys?tab=audit`). */
const TABS = [
  { id: 'keys', label: 'Keys' },
  { id: 'budgets', label: 'Budgets' },
  { id: 'redaction', label: 'Redaction' },
  { id: 'cache', label: 'Cache' },
  { id: 'audit', label: 'Audit' },
] as const
export type PolicyTab = (typeof TABS)[number]['id']

export const POLICY_PANEL_ID = 'policy-tabpanel'
export const policyTabId = (tab: PolicyTab) => `policy-tab-${tab}`

export function usePolicyTab(): PolicyTab {
  const tab = useHashLocation().query.get('tab')
  return TABS.find((t) => t.id === tab)?.id ?? 'keys'
}

export function PolicyTabs({ current }: { current: PolicyTab }) {
  return (
    <div className="tabs" role="tablist" aria-label="Keys & Policies sections">
      {TABS.map((t) => (
        <button
          key={t.id}
          id={policyTabId(t.id)}
          type="button"
          role="tab"
          aria-selected={t.id === current}
          aria-controls={POLICY_PANEL_ID}
          onClick={() => navigate('/keys', { tab: t.id === 'keys' ? undefined : t.id })}
        >
          {t.label}
        </button>
      ))}
    </div>
  )
}
