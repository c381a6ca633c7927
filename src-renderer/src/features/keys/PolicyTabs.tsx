import { navigate, useHashLocation } from '../../app/router'

/** The tabs of Keys & Policies (ui.md §2); the open one lives in the URL (`#/keys?tab=audit`). */
const TABS = [
  { id: 'keys', label: 'Keys' },
  { id: 'audit', label: 'Audit' },
] as const
export type PolicyTab = (typeof TABS)[number]['id']

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
          type="button"
          role="tab"
          aria-selected={t.id === current}
          onClick={() => navigate('/keys', { tab: t.id === 'keys' ? undefined : t.id })}
        >
          {t.label}
        </button>
      ))}
    </div>
  )
}
