import { useState } from 'react'
import type { LabelTarget } from '../../api/prompts'
import { useModal } from '../../components/use-modal'

/** What the gateway accepts as a label name; `latest` always means the newest version and cannot be set. */
const LABEL_NAME = /^[A-Za-z0-9_.-]{1,64}$/
const SUGGESTED = ['production', 'staging']

export function targetText(t: LabelTarget | null): string {
  if (!t) return '(none)'
  return 'version' in t ? `v${t.version}` : t.split.map((a) => `v${a.version}×${a.weight}`).join(' / ')
}

function labelProblem(label: string): string | null {
  if (label === '') return null
  if (label === 'latest') return "'latest' always means the newest version and cannot be set."
  if (!LABEL_NAME.test(label)) return 'Use up to 64 letters, digits, dots, dashes or underscores.'
  return null
}

/**
 * Sets a label of any name on one version, showing the move it makes ("production: v7 → v8") before it
 * happens. An in-app dialog, not `window.confirm`: it offers the labels in use, checks the name as typed,
 * and does not block the page.
 */
export function LabelDialog({
  version,
  labels,
  onSet,
  onClose,
}: {
  version: number
  labels: { label: string; target: LabelTarget }[]
  onSet(label: string): void
  onClose(): void
}) {
  const ref = useModal(true)
  const [label, setLabel] = useState('')
  const name = label.trim()
  const problem = labelProblem(name)
  const current = labels.find((l) => l.label === name)
  const already = current && 'version' in current.target && current.target.version === version
  const choices = [...new Set([...SUGGESTED, ...labels.map((l) => l.label)])]
  const canSet = name !== '' && problem === null && !already
  const submit = () => {
    if (!canSet) return
    onSet(name)
    ref.current?.close()
  }

  return (
    <dialog ref={ref} className="panel label-dialog" aria-labelledby="label-dialog-title" onClose={onClose}>
      <h2 id="label-dialog-title">Set a label on v{version}</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        <label className="field">
          Label
          <input
            list="label-choices"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            aria-invalid={problem !== null}
            aria-describedby="label-dialog-move"
            placeholder="production, staging, canary…"
          />
          <datalist id="label-choices">
            {choices.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </label>
        <div className="row">
          {choices.map((c) => (
            <button type="button" className="small" key={c} onClick={() => setLabel(c)}>
              {c}
            </button>
          ))}
        </div>
        <p id="label-dialog-move" className={problem ? 'field-error' : 'muted'} aria-live="polite">
          {problem ??
            (name === ''
              ? 'Clients asking for this label get the version it points to.'
              : already
                ? `${name} is already on v${version}.`
                : `${name}: ${targetText(current?.target ?? null)} → v${version}`)}
        </p>
        <div className="row">
          <button type="submit" className="primary" disabled={!canSet}>
            Set label
          </button>
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  )
}
