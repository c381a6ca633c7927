import { useMutation } from '@tanstack/react-query'
import { errorMessage } from '../../api/client'

/**
 * An inline "are you sure" in place of a row's buttons, naming what happens; `doneText` keeps a success note
 * on screen (for actions whose effect the table does not show) until dismissed.
 */
export function Confirm(props: {
  text: string
  yes: string
  danger?: boolean
  action(): Promise<unknown>
  onDone(): void
  doneText?: string
}) {
  const run = useMutation({ mutationFn: props.action, onSuccess: () => !props.doneText && props.onDone() })
  if (run.isSuccess && props.doneText) {
    return (
      <div className="row" role="status">
        <span className="success">{props.doneText}</span>
        <button type="button" className="small" onClick={props.onDone}>
          Done
        </button>
      </div>
    )
  }
  return (
    <div className="stack">
      <span>{props.text}</span>
      <div className="row">
        <button
          type="button"
          className={`small ${props.danger ? 'danger' : ''}`}
          disabled={run.isPending}
          onClick={() => run.mutate()}
        >
          {props.yes}
        </button>
        <button type="button" className="small" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      {run.error && (
        <p className="field-error" role="alert">
          {errorMessage(run.error)}
        </p>
      )}
    </div>
  )
}
