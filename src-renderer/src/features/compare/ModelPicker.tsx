import { useQuery } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { chatModelsOf, modelIdsQuery } from '../../queries/models'

/** Chosen models as removable chips, plus a field (with the gateway's names as suggestions) to add one. */
export function ModelPicker({
  label,
  models,
  max,
  onChange,
}: {
  label: string
  models: string[]
  max: number
  onChange(models: string[]): void
}) {
  const known = useQuery({ ...modelIdsQuery(), select: chatModelsOf }).data ?? []
  const [text, setText] = useState('')
  const listId = useId()
  const add = () => {
    const name = text.trim()
    if (name && !models.includes(name) && models.length < max) onChange([...models, name])
    setText('')
  }
  return (
    <div className="row model-picker">
      {models.map((m) => (
        <span className="badge model-chip" key={m}>
          {m}
          <button type="button" aria-label={`Remove ${m}`} onClick={() => onChange(models.filter((x) => x !== m))}>
            ×
          </button>
        </span>
      ))}
      <label className="field inline">
        <span className="visually-hidden">{label}</span>
        <input
          aria-label={label}
          list={listId}
          value={text}
          placeholder="+ model"
          disabled={models.length >= max}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              add()
            }
          }}
        />
      </label>
      <datalist id={listId}>
        {known.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <button type="button" onClick={add} disabled={!text.trim() || models.length >= max}>
        Add
      </button>
      <span className="muted">
        {models.length} / {max}
      </span>
    </div>
  )
}
