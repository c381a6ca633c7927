import type { ConfigImportResult } from '../../../../src-shared/admin-api'

const KIND_LABEL = { add: 'Added', change: 'Changed', remove: 'Removed' } as const

/** A config diff (an import's or a restore's preview) in groups: added, changed, removed. */
export function ConfigChangeList({
  changes,
  headingPrefix = '',
}: {
  changes: ConfigImportResult['changes']
  /** Put before each group's heading, where the preview lists more than config changes. */
  headingPrefix?: string
}) {
  return (['add', 'change', 'remove'] as const).map((kind) => {
    const items = changes.filter((c) => c.kind === kind)
    if (items.length === 0) return null
    return (
      <div key={kind}>
        <h3>
          {headingPrefix}
          {KIND_LABEL[kind]} ({items.length})
        </h3>
        <ul className="change-list">
          {items.map((c) => (
            <li key={`${c.section}.${c.name}`}>
              {c.section}: <code>{c.name}</code>
            </li>
          ))}
        </ul>
      </div>
    )
  })
}
