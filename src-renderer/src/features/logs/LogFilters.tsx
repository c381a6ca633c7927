import { useQuery } from '@tanstack/react-query'
import type { RefObject } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { settingsQuery } from '../../queries/settings'
import { hasWorkspaces, workspacesQuery } from '../../queries/workspaces'
import { useAppStore } from '../../store'
import {
  CACHE_FILTERS,
  EMPTY_LOG_FILTERS,
  type LogFilters as Filters,
  GUARDRAIL_FILTERS,
  hasLogFilters,
  KIND_FILTERS,
  LOG_RANGES,
  REDACTION_FILTERS,
  type TypedLogFilter,
} from '../../store/logs-slice'

const STATUSES = ['200', '400', '401', '403', '404', '429', '500', '502', '503', '504']

/** A text filter: it shows each letter at once and applies once typing pauses (the slice's typeLogFilters). */
function TextFilter(props: {
  name: TypedLogFilter
  label: string
  placeholder: string
  type?: 'search'
  grow?: boolean
  inputRef?: RefObject<HTMLInputElement | null>
}) {
  const value = useAppStore((s) => s.logDraft[props.name])
  const type = useAppStore((s) => s.typeLogFilters)
  return (
    <div className={props.grow ? 'field grow' : 'field'}>
      <label htmlFor={`logs-${props.name}`}>{props.label}</label>
      <input
        id={`logs-${props.name}`}
        ref={props.inputRef}
        type={props.type}
        value={value}
        placeholder={props.placeholder}
        onChange={(e) => type({ [props.name]: e.target.value })}
      />
    </div>
  )
}

/** A filter with a fixed set of choices; it applies at once. */
function ChoiceFilter<K extends 'range' | 'cache' | 'guardrail' | 'redacted' | 'kind'>(props: {
  name: K
  label: string
  options: Record<Filters[K], string>
}) {
  const value = useAppStore((s) => s.logDraft[props.name])
  const setFilters = useAppStore((s) => s.setLogFilters)
  return (
    <div className="field">
      <label htmlFor={`logs-${props.name}`}>{props.label}</label>
      <select
        id={`logs-${props.name}`}
        value={value}
        onChange={(e) => setFilters({ [props.name]: e.target.value as Filters[K] })}
      >
        {Object.entries<string>(props.options).map(([k, text]) => (
          <option key={k} value={k}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
}

export function LogFilters({ searchRef }: { searchRef: RefObject<HTMLInputElement | null> }) {
  const draft = useAppStore(useShallow((s) => s.logDraft))
  // Workspace and person filters once workspaces exist (or a link set one): a solo install's bar stays as it was.
  const teamFilters = hasWorkspaces(useQuery(workspacesQuery()).data)
  const setFilters = useAppStore((s) => s.setLogFilters)
  // Sealed bodies are never indexed (SECURITY.md): with encryption on, search covers the metadata only.
  const sealed = useQuery({ ...settingsQuery(), select: (s) => s.logs.encryptBodies }).data === true
  return (
    <search className="filters" aria-label="Log filters">
      <ChoiceFilter name="range" label="Time" options={LOG_RANGES} />
      <ChoiceFilter name="kind" label="Calls" options={KIND_FILTERS} />
      <TextFilter name="model" label="Model" placeholder="any" />
      <TextFilter name="provider" label="Provider" placeholder="any" />
      <TextFilter name="key" label="Key" placeholder="any" />
      <div className="field">
        <label htmlFor="logs-status">Status</label>
        <select id="logs-status" value={draft.status} onChange={(e) => setFilters({ status: e.target.value })}>
          <option value="">All</option>
          <option value="error">Errors (400 and up)</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <ChoiceFilter name="cache" label="Cache" options={CACHE_FILTERS} />
      <ChoiceFilter name="guardrail" label="Guardrails" options={GUARDRAIL_FILTERS} />
      <ChoiceFilter name="redacted" label="Redaction" options={REDACTION_FILTERS} />
      <TextFilter name="session" label="Session" placeholder="any" />
      {(teamFilters || draft.workspace !== '' || draft.person !== '') && (
        <>
          <TextFilter name="workspace" label="Workspace" placeholder="any" />
          <TextFilter name="person" label="Person" placeholder="anyone" />
        </>
      )}
      <TextFilter
        name="q"
        label="Search"
        type="search"
        grow
        inputRef={searchRef}
        placeholder={
          sealed
            ? 'Request id, model, route, error (bodies are encrypted: not searched)  ( / )'
            : 'Words in prompts and answers, request id, model, error  ( / )'
        }
      />
      {hasLogFilters(draft) && (
        <button type="button" onClick={() => setFilters(EMPTY_LOG_FILTERS)}>
          Clear filters
        </button>
      )}
    </search>
  )
}
