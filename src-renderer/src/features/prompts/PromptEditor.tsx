import { useMutation } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { errorMessage } from '../../api/client'
import { type PromptMessage, promptsApi } from '../../api/prompts'
import { formatCount, formatDuration } from '../../format'
import { useAppStore } from '../../store'
import { findVariables, splitPlaceholders } from './variables'

const ROLES: PromptMessage['role'][] = ['system', 'user', 'assistant']

/** Shows the message with its `{{variables}}` marked, under the textarea, so placeholders stand out. */
function Highlighted({ text }: { text: string }) {
  const parts = splitPlaceholders(text)
  if (!parts.some((p) => p.variable)) return null
  return (
    <p className="prompt-preview muted" aria-hidden="true">
      {parts.map((p, i) =>
        p.variable ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never reorder
          <mark key={i}>{p.text}</mark>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never reorder
          <span key={i}>{p.text}</span>
        ),
      )}
    </p>
  )
}

export function PromptEditor() {
  const draft = useAppStore((s) => s.draft)
  const editDraft = useAppStore((s) => s.editDraft)
  const editContent = useAppStore((s) => s.editDraftContent)
  const isDirty = useAppStore((s) => s.isDraftDirty)
  const rate = useAppStore((s) => s.ratePromptRun)
  const [values, setValues] = useState<Record<string, string>>({})
  const [asked, setAsked] = useState(false)
  // A run through /v1/prompts/{name}/run, as a client calls it; its answer belongs to the version it ran.
  const run = useMutation({
    mutationFn: (body: { name: string; variables: Record<string, string>; version?: number }) =>
      promptsApi.run(body.name, { variables: body.variables, version: body.version }),
  })
  const resetRun = run.reset
  // Choosing another prompt, or saving a new version, clears the answer of the version that ran.
  const ranFor = draft ? `${draft.name}@${draft.baseVersion}` : null
  // biome-ignore lint/correctness/useExhaustiveDependencies: ranFor is what triggers the reset, not an input to it
  useEffect(() => {
    resetRun()
  }, [ranFor, resetRun])
  const result = run.data ?? null
  const isRunning = run.isPending

  const messages = draft?.content.messages ?? []
  const variables = useMemo(() => findVariables(messages.map((m) => m.content)), [messages])
  if (!draft) return null
  const missing = variables.filter((v) => !values[v])

  const setMessage = (i: number, change: Partial<PromptMessage>) =>
    editContent({ messages: messages.map((m, j) => (j === i ? { ...m, ...change } : m)) })
  const onRun = () => {
    setAsked(true)
    if (missing.length === 0)
      run.mutate({ name: draft.name, variables: values, version: draft.baseVersion ?? undefined })
  }

  return (
    <div className="prompt-editor">
      <div className="stack">
        {draft.isNew && (
          <label className="field">
            Prompt name
            <input
              value={draft.name}
              onChange={(e) => editDraft({ name: e.target.value })}
              placeholder="support-triage"
              pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
            />
          </label>
        )}
        {messages.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: messages are edited in place by position
          <div className="prompt-message" key={i}>
            <div className="row">
              <label className="field inline">
                Role of message {i + 1}
                <select
                  value={m.role}
                  onChange={(e) => setMessage(i, { role: e.target.value as PromptMessage['role'] })}
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                aria-label={`Remove message ${i + 1}`}
                disabled={messages.length === 1}
                onClick={() => editContent({ messages: messages.filter((_, j) => j !== i) })}
              >
                ✕
              </button>
            </div>
            <label className="field">
              <span className="visually-hidden">Message {i + 1}</span>
              <textarea
                aria-label={`Message ${i + 1}`}
                rows={Math.min(12, Math.max(3, m.content.split('\n').length + 1))}
                value={m.content}
                onChange={(e) => setMessage(i, { content: e.target.value })}
              />
            </label>
            <Highlighted text={m.content} />
          </div>
        ))}
        <div className="row">
          <button type="button" onClick={() => editContent({ messages: [...messages, { role: 'user', content: '' }] })}>
            + Message
          </button>
        </div>
        <div className="form-grid">
          <label className="field">
            Model or route
            <input
              value={draft.content.model ?? ''}
              onChange={(e) => editContent({ model: e.target.value || undefined })}
              placeholder="provider/model"
            />
          </label>
          <label className="field">
            Parameters (JSON)
            <textarea
              rows={3}
              value={draft.paramsText}
              onChange={(e) => editDraft({ paramsText: e.target.value })}
              placeholder='{"temperature": 0.2}'
            />
          </label>
          <label className="field">
            JSON schema for output
            <textarea rows={3} value={draft.schemaText} onChange={(e) => editDraft({ schemaText: e.target.value })} />
          </label>
        </div>
      </div>

      <aside className="panel stack" aria-labelledby="variables-title">
        <h2 id="variables-title">Variables</h2>
        {variables.length === 0 && <p className="muted">No {'{{variables}}'} in these messages.</p>}
        {variables.map((v) => (
          <label className="field" key={v}>
            {v}
            <input
              value={values[v] ?? ''}
              aria-invalid={asked && !values[v]}
              className={asked && !values[v] ? 'missing' : undefined}
              onChange={(e) => setValues({ ...values, [v]: e.target.value })}
            />
          </label>
        ))}
        <button
          type="button"
          className="primary"
          onClick={onRun}
          disabled={isRunning || draft.isNew || draft.baseVersion === null}
          title={
            draft.baseVersion === null
              ? 'Save the draft first: a run uses a saved version'
              : isDirty
                ? 'Runs the saved version; save first to run your edits'
                : undefined
          }
        >
          {isRunning ? 'Running…' : draft.baseVersion === null ? 'Run draft' : `Run v${draft.baseVersion}`}
        </button>
        {asked && missing.length > 0 && (
          <p className="error" role="alert">
            Fill in: {missing.join(', ')}
          </p>
        )}
        {run.error && (
          <p className="error" role="alert">
            {errorMessage(run.error)}
          </p>
        )}
        {result && (
          <div className="prompt-output" data-testid="prompt-output">
            <p>{result.text}</p>
            <p className="muted">
              v{result.version} · {formatCount(result.usage?.prompt_tokens)} →{' '}
              {formatCount(result.usage?.completion_tokens)} tok · {formatDuration(result.latencyMs)}
            </p>
            <div className="row">
              <button type="button" aria-label="Good answer" onClick={() => void rate(result.requestId, 'up')}>
                Good
              </button>
              <button type="button" aria-label="Bad answer" onClick={() => void rate(result.requestId, 'down')}>
                Bad
              </button>
            </div>
          </div>
        )}
      </aside>
    </div>
  )
}
