import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { errorMessage } from '../../api/client'
import type { Assertion, MatrixRequest } from '../../api/prompts'
import { countNoun } from '../../count-noun'
import { datasetPreviewQuery } from '../../queries/compare'
import { promptListQuery } from '../../queries/prompts'
import { useAppStore } from '../../store'
import { ModelPicker } from './ModelPicker'

const TYPES: Assertion['type'][] = [
  'contains',
  'icontains',
  'equals',
  'regex',
  'is-json',
  'json-schema',
  'javascript',
  'max-cost',
  'max-latency',
  'llm-rubric',
]

interface AssertionDraft {
  type: Assertion['type']
  value: string
}

function toAssertion(a: AssertionDraft): Assertion {
  switch (a.type) {
    case 'is-json':
      return { type: a.type }
    case 'json-schema':
      return { type: a.type, value: JSON.parse(a.value || '{}') }
    case 'max-cost':
    case 'max-latency':
      return { type: a.type, value: Number(a.value) }
    default:
      return { type: a.type, value: a.value }
  }
}

/** Prompts (or versions) × models × dataset rows, with assertions; Run stays off until all three exist. */
export function MatrixSetup() {
  const prompts = useQuery(promptListQuery()).data ?? []
  const start = useAppStore((s) => s.startMatrix)
  const [chosen, setChosen] = useState<Record<string, number | 'latest'>>({})
  const [models, setModels] = useState<string[]>([])
  const [format, setFormat] = useState<'csv' | 'jsonl'>('csv')
  const [text, setText] = useState('')
  // The dataset as it stood when typing last paused.
  const [asked, setAsked] = useState<{ format: 'csv' | 'jsonl'; text: string }>({ format: 'csv', text: '' })
  const hasText = asked.text.trim() !== ''
  const parsed = useQuery({
    ...datasetPreviewQuery(asked.format, asked.text),
    enabled: hasText,
    placeholderData: keepPreviousData,
  })
  const preview = hasText ? (parsed.data ?? null) : null
  const [assertionError, setAssertionError] = useState<string | null>(null)
  const datasetError = assertionError ?? (hasText && parsed.error ? errorMessage(parsed.error) : null)
  const [assertions, setAssertions] = useState<AssertionDraft[]>([])
  const [grader, setGrader] = useState('')

  // The row count (and so Run) follows the dataset as it is typed or pasted, not only once the field loses
  // focus: Run left disabled beside a pasted dataset, with a hint asking for rows, looks broken.
  useEffect(() => {
    const timer = setTimeout(() => setAsked({ format, text }), 250)
    return () => clearTimeout(timer)
  }, [format, text])

  const onFile = async (file: File | undefined) => {
    if (!file) return
    setFormat(file.name.endsWith('.jsonl') || file.name.endsWith('.ndjson') ? 'jsonl' : 'csv')
    setText(await file.text())
  }

  const refs = Object.entries(chosen).map(([name, v]) => (v === 'latest' ? { name } : { name, version: v }))
  const canRun = refs.length > 0 && models.length > 0 && (preview?.total ?? 0) > 0
  const onRun = () => {
    let parsed: Assertion[]
    try {
      parsed = assertions.map(toAssertion)
    } catch (err) {
      setAssertionError(`Assertion: ${errorMessage(err)}`)
      return
    }
    setAssertionError(null)
    const req: MatrixRequest = {
      prompts: refs,
      models,
      dataset: { format, text },
      assertions: parsed,
      ...(grader ? { grader } : {}),
    }
    void start(req)
  }

  return (
    <section className="panel stack" aria-labelledby="matrix-setup-title">
      <h2 id="matrix-setup-title">Setup</h2>
      <fieldset className="matrix-fieldset">
        <legend>Prompts</legend>
        {prompts.length === 0 && <p className="muted">No prompts yet: create one on the Prompts page.</p>}
        {prompts.map((p) => (
          <div className="row" key={p.name}>
            <label className="field inline">
              <input
                type="checkbox"
                checked={p.name in chosen}
                onChange={(e) => {
                  const next = { ...chosen }
                  if (e.target.checked) next[p.name] = 'latest'
                  else delete next[p.name]
                  setChosen(next)
                }}
              />
              {p.name}
            </label>
            {p.name in chosen && (
              <label className="field inline">
                <span className="visually-hidden">Version of {p.name}</span>
                <select
                  aria-label={`Version of ${p.name}`}
                  value={String(chosen[p.name])}
                  onChange={(e) =>
                    setChosen({ ...chosen, [p.name]: e.target.value === 'latest' ? 'latest' : Number(e.target.value) })
                  }
                >
                  <option value="latest">latest (v{p.latestVersion})</option>
                  {Array.from({ length: p.latestVersion }, (_, i) => p.latestVersion - i).map((v) => (
                    <option key={v} value={v}>
                      v{v}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
        ))}
      </fieldset>
      <div>
        <div className="muted">Models</div>
        <ModelPicker label="Add matrix model" models={models} max={10} onChange={setModels} />
      </div>
      <div className="stack">
        <div className="row">
          {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, not a form group */}
          <div className="segmented" role="group" aria-label="Dataset format">
            {(['csv', 'jsonl'] as const).map((f) => (
              <button type="button" key={f} aria-pressed={format === f} onClick={() => setFormat(f)}>
                {f.toUpperCase()}
              </button>
            ))}
          </div>
          <label className="button">
            Upload CSV/JSONL
            <input
              type="file"
              accept=".csv,.jsonl,.ndjson,text/csv"
              className="visually-hidden"
              onChange={(e) => onFile(e.target.files?.[0])}
            />
          </label>
          {preview && (
            <span className="muted" data-testid="dataset-preview">
              {countNoun(preview.total, 'row')} · columns: {preview.columns.join(', ')}
            </span>
          )}
        </div>
        <label className="field">
          Dataset
          <textarea
            // An explicit name: a wrapping label would otherwise put the typed rows into the field's name.
            aria-label="Dataset"
            rows={5}
            value={text}
            placeholder={format === 'csv' ? 'name,expected\nAda,Ada' : '{"name": "Ada"}'}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        {datasetError && (
          <p className="error" role="alert">
            {datasetError}
          </p>
        )}
      </div>
      <fieldset className="matrix-fieldset stack">
        <legend>Assertions (values may use {'{{column}}'})</legend>
        {assertions.map((a, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: assertions are edited in place by position
          <div className="row" key={i}>
            <label className="field inline">
              <span className="visually-hidden">Assertion {i + 1} type</span>
              <select
                aria-label={`Assertion ${i + 1} type`}
                value={a.type}
                onChange={(e) =>
                  setAssertions(
                    assertions.map((x, j) => (j === i ? { ...x, type: e.target.value as Assertion['type'] } : x)),
                  )
                }
              >
                {TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
            {a.type !== 'is-json' && (
              <input
                aria-label={`Assertion ${i + 1} value`}
                value={a.value}
                onChange={(e) =>
                  setAssertions(assertions.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))
                }
              />
            )}
            <button
              type="button"
              aria-label={`Remove assertion ${i + 1}`}
              onClick={() => setAssertions(assertions.filter((_, j) => j !== i))}
            >
              ✕
            </button>
          </div>
        ))}
        <div className="row">
          <button type="button" onClick={() => setAssertions([...assertions, { type: 'contains', value: '' }])}>
            + Assertion
          </button>
          <label className="field inline">
            Grader model
            <input value={grader} onChange={(e) => setGrader(e.target.value)} placeholder="for llm-rubric" />
          </label>
        </div>
      </fieldset>
      <div className="row">
        <button type="button" className="primary" disabled={!canRun} onClick={onRun}>
          Run matrix
        </button>
        {!canRun && <span className="muted">Needs at least one prompt, one model and one dataset row.</span>}
      </div>
    </section>
  )
}
