import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { formatDuration, formatTime, formatUsd } from '../../format'
import { armStatsQuery, labelHistoryQuery } from '../../queries/prompts'
import { useAppStore } from '../../store'
import { LabelDialog, targetText } from './LabelDialog'
import { useActiveLabels, useActiveVersions } from './use-active-prompt'

/** Each version with its note and labels; labels move here, in a dialog naming the move. */
export function VersionHistory({ onDiff }: { onDiff(from: number, to: number): void }) {
  const active = useAppStore((s) => s.activePrompt) ?? ''
  const { versions } = useActiveVersions()
  const labels = useActiveLabels()
  const moves = useQuery({ ...labelHistoryQuery(active), enabled: active !== '' }).data ?? []
  const stats = useQuery({ ...armStatsQuery(active), enabled: active !== '' }).data ?? []
  const moveLabel = useAppStore((s) => s.movePromptLabel)

  const labelsOf = (version: number) =>
    labels.filter((l) => 'version' in l.target && l.target.version === version).map((l) => l.label)
  const [labelling, setLabelling] = useState<number | null>(null)

  return (
    <div className="stack">
      <table aria-label="Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Labels</th>
            <th>Note</th>
            <th>Saved</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-testid="version-row" data-version={v.version}>
              <td>v{v.version}</td>
              <td>
                {labelsOf(v.version).map((l) => (
                  <span className="badge label-chip" key={l}>
                    {l}
                  </span>
                ))}
              </td>
              <td>{v.note ?? <span className="muted">—</span>}</td>
              <td title={v.createdAt}>
                {formatTime(v.createdAt)} {v.author ? <span className="muted">· {v.author}</span> : null}
              </td>
              <td className="row">
                <button type="button" onClick={() => setLabelling(v.version)}>
                  Set label on v{v.version}…
                </button>
                {v.version > 1 && (
                  <button type="button" onClick={() => onDiff(v.version - 1, v.version)}>
                    Diff with v{v.version - 1}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {labelling !== null && (
        <LabelDialog
          version={labelling}
          labels={labels}
          onSet={(label) => void moveLabel(label, labelling)}
          onClose={() => setLabelling(null)}
        />
      )}
      {moves.length > 0 && (
        <section aria-labelledby="moves-title">
          <h2 id="moves-title">Label moves</h2>
          <ul className="change-list">
            {moves.map((m) => (
              <li key={`${m.createdAt}-${m.label}-${targetText(m.to)}`}>
                {m.label}: {targetText(m.from)} → {targetText(m.to)}{' '}
                <span className="muted">{formatTime(m.createdAt)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {stats.length > 0 && (
        <table aria-label="Runs by version">
          <thead>
            <tr>
              <th>Version / arm</th>
              <th className="num">Requests</th>
              <th className="num">Errors</th>
              <th className="num">Cost</th>
              <th className="num">Mean latency</th>
              <th className="num">Good / bad</th>
            </tr>
          </thead>
          <tbody>
            {stats.map((s) => (
              <tr key={`${s.version}-${s.arm}`}>
                <td>
                  v{s.version} {s.arm && <span className="muted">({s.arm})</span>}
                </td>
                <td className="num">{s.requests}</td>
                <td className="num">{s.errors}</td>
                <td className="num">{formatUsd(s.costUsd)}</td>
                <td className="num">{formatDuration(s.meanLatencyMs)}</td>
                <td className="num">
                  {s.thumbsUp} / {s.thumbsDown}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
