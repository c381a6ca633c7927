import { useQuery } from '@tanstack/react-query'
import { promptDiffQuery } from '../../queries/prompts'
import { useAppStore } from '../../store'
import { useActiveVersions } from './use-active-prompt'

const MARK = { equal: ' ', add: '+', remove: '−' } as const

/** Any two versions, unified: messages, model, parameters and schema alike. */
export function PromptDiffView({
  from,
  to,
  onPick,
}: {
  from: number
  to: number
  onPick(from: number, to: number): void
}) {
  const active = useAppStore((s) => s.activePrompt)
  const { versions } = useActiveVersions()
  const diff = useQuery({ ...promptDiffQuery(active ?? '', from, to), enabled: active !== null }).data ?? null
  const options = versions.map((v) => (
    <option key={v.version} value={v.version}>
      v{v.version}
    </option>
  ))
  return (
    <div className="stack">
      <div className="row">
        <label className="field inline">
          From
          <select value={from} onChange={(e) => onPick(Number(e.target.value), to)}>
            {options}
          </select>
        </label>
        <label className="field inline">
          To
          <select value={to} onChange={(e) => onPick(from, Number(e.target.value))}>
            {options}
          </select>
        </label>
        {diff && (
          <span className="muted">
            {diff.changed.length ? `Changed: ${diff.changed.join(', ')}` : 'No differences'}
          </span>
        )}
      </div>
      {diff && (
        <pre className="prompt-diff" data-testid="prompt-diff">
          {diff.lines.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: diff lines are positional
            <div key={i} className={`diff-${l.op}`}>
              <span aria-hidden="true">{MARK[l.op]} </span>
              <span className="visually-hidden">
                {l.op === 'equal' ? '' : l.op === 'add' ? 'added: ' : 'removed: '}
              </span>
              {l.text}
            </div>
          ))}
        </pre>
      )}
    </div>
  )
}
