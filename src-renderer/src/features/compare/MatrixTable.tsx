import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { Cell, RunSnapshot } from '../../api/prompts'
import { countNoun } from '../../count-noun'
import { formatDuration, formatUsd } from '../../format'
import { compareRunQuery, compareRunsQuery, runDiffQuery, runsChanged } from '../../queries/compare'
import { useAppStore } from '../../store'
import { RatingButtons } from './RatingButtons'
import { runLabel } from './run-label'

type Filter = 'All' | 'Failures' | 'Errors' | 'Differences' | 'Rated'

function varsText(vars: Record<string, unknown>): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n')
}

function keepRow(filter: Filter, cells: Cell[]): boolean {
  switch (filter) {
    case 'All':
      return true
    case 'Failures':
      return cells.some((c) => c.pass === false)
    case 'Errors':
      return cells.some((c) => c.status === 'error')
    case 'Differences':
      return new Set(cells.map((c) => c.output)).size > 1
    case 'Rated':
      return cells.some((c) => c.rating !== null)
  }
}

function CellView({ cell }: { cell: Cell }) {
  const [open, setOpen] = useState(false)
  const failed = cell.assertions.filter((a) => !a.pass)
  return (
    <td
      data-testid="matrix-cell"
      data-row={cell.row}
      data-col={cell.col}
      data-pass={cell.pass === null ? '' : String(cell.pass)}
      data-status={cell.status}
      className={`matrix-cell status-${cell.status}`}
    >
      <div className="row cell-head">
        {cell.pass === true && <span className="status-ok">✔ PASS</span>}
        {cell.pass === false && <span className="status-err">✘ FAIL</span>}
        {cell.status !== 'done' && <span className="muted">{cell.status}</span>}
        {cell.score !== null && <span className="muted">{cell.score.toFixed(2)}</span>}
      </div>
      {failed.map((a) => (
        <div className="cell-reason" key={`${a.type}-${a.reason}`}>
          {a.type}: {a.reason}
        </div>
      ))}
      {cell.error && <div className="error">{cell.error}</div>}
      <button type="button" className="cell-output" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? cell.output : (cell.output ?? '').slice(0, 160)}
      </button>
      {open && cell.input && (
        <pre className="cell-input">{cell.input.map((m) => `[${m.role}] ${String(m.content)}`).join('\n')}</pre>
      )}
      <div className="row cell-meta">
        <span>{formatDuration(cell.latencyMs)}</span>
        <span>{formatUsd(cell.costUsd)}</span>
        <span className="spacer" />
        {cell.requestId && <RatingButtons cell={cell} goodLabel="Rate up" badLabel="Rate down" />}
      </div>
    </td>
  )
}

function Progress({ run }: { run: RunSnapshot }) {
  const cancel = useAppStore((s) => s.cancelMatrix)
  const rerun = useAppStore((s) => s.rerunMatrix)
  const allRuns = useQuery(compareRunsQuery()).data ?? []
  const team = useAppStore((s) => s.authMode === 'team')
  const { finished, total, errors, costUsd } = run.progress
  return (
    <div className="row matrix-progress" data-testid="matrix-progress" data-finished={finished} data-total={total}>
      <strong>
        {runLabel(run, allRuns)}: {countNoun(run.rows.length, 'row')} × {countNoun(run.columns.length, 'column')} ={' '}
        {countNoun(total, 'cell')}
      </strong>
      {team && (
        <span className="badge" title="The workspace this run belongs to" data-testid="run-workspace">
          {run.workspace}
        </span>
      )}
      <progress max={total} value={finished} aria-label="Run progress" />
      <span>
        {finished}/{total} · {formatUsd(costUsd)} · {errors} errors · {run.status}
      </span>
      {run.isActive ? (
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      ) : (
        <>
          <button type="button" onClick={() => rerun(false)}>
            Re-run
          </button>
          <button type="button" onClick={() => rerun(true)}>
            Re-run failures
          </button>
        </>
      )}
    </div>
  )
}

/** The result grid: one row per dataset row, one column per prompt version × model, summaries on top. */
export function MatrixTable() {
  const openRunId = useAppStore((s) => s.openRunId)
  const against = useAppStore((s) => s.diffAgainstId)
  const run = useQuery({ ...compareRunQuery(openRunId ?? 0), enabled: openRunId !== null }).data ?? null
  const allRuns = useQuery(compareRunsQuery()).data ?? []
  const runs = allRuns.filter((r) => r.id !== openRunId && r.kind !== 'side-by-side')
  const team = useAppStore((s) => s.authMode === 'team')
  const diff =
    useQuery({ ...runDiffQuery(openRunId ?? 0, against ?? 0), enabled: openRunId !== null && against !== null }).data ??
    null
  const diffAgainst = useAppStore((s) => s.diffAgainst)
  // A run that has finished is in the runs list with its final numbers: read the list again.
  const finished = run !== null && !run.isActive
  useEffect(() => {
    if (finished) void runsChanged()
  }, [finished])
  const exportRun = useAppStore((s) => s.exportRun)
  const [filter, setFilter] = useState<Filter>('All')
  const [search, setSearch] = useState('')
  if (!run) return null
  const byRow = new Map<number, Cell[]>()
  for (const c of run.cells) byRow.set(c.row, [...(byRow.get(c.row) ?? []), c])
  const filters: Filter[] =
    run.columns.length > 1
      ? ['All', 'Failures', 'Errors', 'Differences', 'Rated']
      : ['All', 'Failures', 'Errors', 'Rated']
  const rows = run.rows
    .map((r, i) => ({ row: r, index: i, cells: byRow.get(i) ?? [] }))
    .filter((r) => keepRow(filter, r.cells))
    .filter(
      (r) => !search || JSON.stringify(r.row.vars).includes(search) || r.cells.some((c) => c.output?.includes(search)),
    )

  return (
    <section className="stack" aria-label="Results" aria-busy={run.isActive}>
      <Progress run={run} />
      <div className="row">
        {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, not a form group */}
        <div className="segmented" role="group" aria-label="Filter rows">
          {filters.map((f) => (
            <button type="button" key={f} aria-pressed={filter === f} onClick={() => setFilter(f)}>
              {f}
            </button>
          ))}
        </div>
        <label className="field inline">
          <span className="visually-hidden">Search results</span>
          <input
            type="search"
            aria-label="Search results"
            placeholder="Search text"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="field inline">
          vs run
          <select onChange={(e) => diffAgainst(e.target.value ? Number(e.target.value) : null)} defaultValue="">
            <option value="">—</option>
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {runLabel(r, allRuns)}
                {r.name ? ` · ${r.name}` : ''}
                {team ? ` · ${r.workspace}` : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => exportRun('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => exportRun('json')}>
          Export JSON
        </button>
      </div>
      {diff && (
        <p role="status" data-testid="run-diff">
          Δ pass {diff.passRateDelta === null ? '—' : `${(diff.passRateDelta * 100).toFixed(1)} pts`} · Δ cost{' '}
          {diff.costDeltaUsd >= 0 ? '+' : '−'}
          {formatUsd(Math.abs(diff.costDeltaUsd))} · {diff.changed.length} changed cells
        </p>
      )}
      <div className="matrix-scroll">
        <table aria-label="Matrix results" className="matrix-table">
          <thead>
            <tr>
              <th>Row</th>
              {run.kind === 'replay' && <th>Original</th>}
              {run.columns.map((c, i) => {
                const s = run.summaries[i]
                return (
                  <th key={c.label} data-testid="matrix-column">
                    <div>{c.label}</div>
                    <div className="muted column-summary">
                      pass {s.passRate === null ? '—' : `${Math.round(s.passRate * 100)}%`} ·{' '}
                      {formatUsd(s.totalCostUsd)} · {formatDuration(s.meanLatencyMs)}
                    </div>
                  </th>
                )
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ row, index, cells }) => (
              <tr key={index}>
                <th scope="row" className="vars-cell">
                  <pre>{varsText(row.vars)}</pre>
                </th>
                {run.kind === 'replay' && (
                  <td className="matrix-cell">
                    <div className="cell-output">{row.original?.output}</div>
                    <div className="row cell-meta">
                      <span>{row.original?.model}</span>
                      <span>{formatDuration(row.original?.latencyMs)}</span>
                      <span>{formatUsd(row.original?.costUsd)}</span>
                    </div>
                  </td>
                )}
                {cells.map((c) => (
                  <CellView key={c.col} cell={c} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && (
          <p className="empty">
            No match.{' '}
            <button
              type="button"
              onClick={() => {
                setFilter('All')
                setSearch('')
              }}
            >
              Clear filters
            </button>
          </p>
        )}
      </div>
    </section>
  )
}
