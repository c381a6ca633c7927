import type { ReactNode } from 'react'
import { errorMessage } from '../../api/client'

/** A column heading of a team table; `num` right-aligns counts. */
export type TeamColumn = string | { label: string; num: true }

/**
 * The scaffolding the Settings → Team panels (Members, Service accounts, Workspaces) share: the heading with its
 * "+ Create" button (hidden while a form or a one-time reveal is open), the form slot, the load error with a
 * Retry, and the table of rows, or `empty` when there are none. Each panel keeps only its rows and forms.
 */
export function TeamPanel(props: {
  /** Prefix of the heading's id, which labels the section. */
  id: string
  title: string
  /** Plural noun for the load error: "Could not load members". */
  noun: string
  addLabel: string
  /** The panel's main action is the page's primary button (Members). */
  addPrimary?: boolean
  /** False while a form or a reveal takes the add button's place. */
  canAdd: boolean
  onAdd(): void
  /** The create form or a one-time reveal, shown above the table. */
  form?: ReactNode
  list: { isPending: boolean; error: unknown; refetch(): unknown }
  columns: readonly TeamColumn[]
  /** Null until the list has loaded. */
  rows: ReactNode[] | null
  /** Shown instead of an empty table. */
  empty?: ReactNode
}) {
  const headingId = `${props.id}-heading`
  return (
    <section className="panel stack" aria-labelledby={headingId} aria-busy={props.list.isPending}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id={headingId}>{props.title}</h2>
        {props.canAdd && (
          <button type="button" className={props.addPrimary ? 'primary' : undefined} onClick={props.onAdd}>
            {props.addLabel}
          </button>
        )}
      </div>
      {props.form}
      {props.list.error != null && (
        <p className="error" role="alert">
          Could not load {props.noun}: {errorMessage(props.list.error)}{' '}
          <button type="button" className="small" onClick={() => void props.list.refetch()}>
            Retry
          </button>
        </p>
      )}
      {props.rows?.length === 0 && props.empty}
      {props.rows && (props.rows.length > 0 || props.empty === undefined) && (
        <div className="team-table-scroll">
          <table className="team-table">
            <thead>
              <tr>
                {props.columns.map((c) =>
                  typeof c === 'string' ? (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ) : (
                    <th key={c.label} scope="col" className="num">
                      {c.label}
                    </th>
                  ),
                )}
              </tr>
            </thead>
            <tbody>{props.rows}</tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** The foot of a form opened on a team table's row: its error, then the submit and Cancel buttons. */
export function RowFormActions(props: {
  error: string | null
  submitLabel: string
  disabled: boolean
  onCancel(): void
}) {
  return (
    <>
      {props.error && (
        <p className="error" role="alert">
          {props.error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="small primary" disabled={props.disabled}>
          {props.submitLabel}
        </button>
        <button type="button" className="small" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </>
  )
}
