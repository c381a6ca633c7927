import { useQuery } from '@tanstack/react-query'
import { type KeyboardEvent, useEffect, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { errorMessage } from '../../api/client'
import { navigate } from '../../app/router'
import { formatCount, formatDuration, formatUsd } from '../../format'
import { chatModelsOf, modelIdsQuery } from '../../queries/models'
import { useAppStore } from '../../store'
import type { PlaygroundParams } from '../../store/handoff-slice'
import { type Turn, toChatMessages } from '../../store/playground-slice'
import { ToolCallCard } from './ToolCallCard'
import { ToolsPanel } from './ToolsPanel'

const MAX_IMAGE_BYTES = 5 * 1024 * 1024

function ReplyMeta({ turn }: { turn: Turn }) {
  const m = turn.metrics
  if (!m) return null
  const tokens = m.inputTokens !== null && m.outputTokens !== null ? m.inputTokens + m.outputTokens : null
  return (
    <div className="reply-meta">
      {formatCount(tokens)} tok ({formatCount(m.inputTokens)} → {formatCount(m.outputTokens)}) · {formatUsd(m.costUsd)}{' '}
      · {formatDuration(m.latencyMs)} · TTFT {formatDuration(m.ttftMs)}
      {m.provider && ` · ${m.provider}/${m.model}`}
      {m.requestId && (
        <>
          {' · '}
          <a href={`#/logs?q=${encodeURIComponent(m.requestId)}`}>log ↗</a>
        </>
      )}
    </div>
  )
}

function TurnBubble({ turn }: { turn: Turn }) {
  if (turn.role === 'user') {
    return (
      <div className="bubble bubble-user">
        <div className="bubble-role">You</div>
        {turn.image && <img src={turn.image} alt="Attached" />}
        <div className="bubble-text">{turn.text}</div>
      </div>
    )
  }
  const m = turn.metrics
  return (
    <div
      className={`bubble ${turn.state === 'error' ? 'bubble-error' : ''}`}
      data-testid="pg-reply"
      data-state={turn.state}
      data-tokens={m && m.outputTokens !== null ? (m.inputTokens ?? 0) + m.outputTokens : ''}
      data-cost={m?.costUsd ?? ''}
      data-latency-ms={m ? Math.round(m.latencyMs) : ''}
    >
      <div className="bubble-role">
        Assistant{turn.state === 'streaming' && ' · streaming…'}
        {turn.state === 'stopped' && ' · stopped'}
      </div>
      {turn.state === 'error' ? (
        <p className="error" role="alert">
          {turn.error}
        </p>
      ) : (
        (turn.text || turn.toolCalls.length === 0) && <div className="bubble-text">{turn.text}</div>
      )}
      {turn.toolCalls.map((c) => (
        <ToolCallCard key={c.id} call={c} />
      ))}
      {turn.notice && (
        <p className="warn-text" role="status">
          {turn.notice}
        </p>
      )}
      <ReplyMeta turn={turn} />
    </div>
  )
}

function NumberParam(props: {
  id: keyof PlaygroundParams
  label: string
  hint: string
  min: number
  max: number
  step: number
}) {
  const value = useAppStore((s) => s.pgParams[props.id])
  const setParam = useAppStore((s) => s.setPgParam)
  return (
    <div className="field">
      <label htmlFor={`pg-${props.id}`}>{props.label}</label>
      <input
        id={`pg-${props.id}`}
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder="model default"
        value={value ?? ''}
        onChange={(e) => setParam(props.id, e.target.value === '' ? null : Number(e.target.value))}
      />
      <span className="field-hint">{props.hint}</span>
    </div>
  )
}

export function PlaygroundPage() {
  const modelsQuery = useQuery({ ...modelIdsQuery(), select: chatModelsOf })
  const models = modelsQuery.data ?? []
  const modelsError = modelsQuery.error ? errorMessage(modelsQuery.error) : null
  const model = useAppStore((s) => s.pgModel)
  const system = useAppStore((s) => s.pgSystem)
  const turns = useAppStore(useShallow((s) => s.pgTurns))
  const streaming = useAppStore((s) => s.pgStreaming)
  const attachment = useAppStore((s) => s.pgAttachment)
  const params = useAppStore(useShallow((s) => s.pgParams))
  const actions = useAppStore(
    useShallow((s) => ({
      setModel: s.setPgModel,
      setSystem: s.setPgSystem,
      setAttachment: s.setPgAttachment,
      send: s.sendPlayground,
      stop: s.stopPlayground,
      clear: s.clearPlayground,
      setHandoff: s.setHandoff,
    })),
  )
  const [input, setInput] = useState('')
  const [attachError, setAttachError] = useState<string | null>(null)
  const [announcement, setAnnouncement] = useState('')
  const transcriptRef = useRef<HTMLElement>(null)
  const fileRef = useRef<HTMLInputElement>(null)

  // A model the list no longer offers (or none chosen yet) gives way to the first chat model.
  useEffect(() => {
    if (modelsQuery.data && !modelsQuery.data.includes(model)) actions.setModel(modelsQuery.data[0] ?? '')
  }, [modelsQuery.data, model, actions.setModel])

  const last = turns[turns.length - 1]
  // Keep the newest text in view while it streams.
  useEffect(() => {
    const el = transcriptRef.current
    if (el) el.scrollTop = el.scrollHeight
  })
  // One polite announcement per finished reply, never token by token.
  const lastState = last?.role === 'assistant' ? last.state : null
  const lastMetrics = last?.metrics
  useEffect(() => {
    if (lastState === 'done' && lastMetrics) {
      setAnnouncement(
        `Reply complete, ${lastMetrics.outputTokens ?? 'unknown'} tokens, ${formatDuration(lastMetrics.latencyMs)}`,
      )
    } else if (lastState === 'stopped') setAnnouncement('Reply stopped')
    else if (lastState === 'error') setAnnouncement('Reply failed')
  }, [lastState, lastMetrics])

  // A tool call waiting for confirmation is announced once, by name.
  const askingTool = last?.toolCalls.find((c) => c.state === 'asking')?.name
  useEffect(() => {
    if (askingTool) setAnnouncement(`The model wants to call ${askingTool}: allow or deny it`)
  }, [askingTool])

  // Esc stops a reply from anywhere on the page, not only from the message box.
  useEffect(() => {
    if (!streaming) return
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') actions.stop()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [streaming, actions.stop])

  const submit = () => {
    if (streaming || (!input.trim() && !attachment)) return
    void actions.send(input)
    setInput('')
  }
  const onComposerKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault()
      submit()
    }
  }
  const onFile = (file: File | undefined) => {
    setAttachError(null)
    if (!file) return
    if (!file.type.startsWith('image/')) return setAttachError('Choose an image file (PNG, JPEG, GIF or WebP).')
    if (file.size > MAX_IMAGE_BYTES) return setAttachError('Images up to 5 MB can be attached.')
    const reader = new FileReader()
    reader.onload = () => actions.setAttachment(String(reader.result))
    reader.onerror = () => setAttachError('The image could not be read.')
    reader.readAsDataURL(file)
  }
  const handOff = (kind: 'prompt' | 'compare') => {
    const s = useAppStore.getState()
    actions.setHandoff({ kind, model, params, messages: toChatMessages(s.pgSystem, s.pgTurns) })
    navigate(kind === 'prompt' ? '/prompts' : '/compare')
  }

  const noModels = modelsQuery.data?.length === 0
  return (
    <main className="page">
      <header className="page-header">
        <h1>Playground</h1>
      </header>
      <div className="playground">
        <section className="panel chat" aria-label="Chat">
          <div className="row">
            <div className="field" style={{ flex: 1 }}>
              <label htmlFor="pg-model">Model or route</label>
              <select id="pg-model" value={model} onChange={(e) => actions.setModel(e.target.value)}>
                {models.length === 0 && <option value="">No models available</option>}
                {models.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {modelsError && (
            <p className="error" role="alert">
              Could not list models: {modelsError}{' '}
              <button type="button" className="small" onClick={() => void modelsQuery.refetch()}>
                Retry
              </button>
            </p>
          )}
          {noModels && (
            <div className="empty">
              <p>No model is available yet. Add a provider or detect the local servers on this machine.</p>
              <div className="row">
                <a className="button" href="#/providers">
                  Add a provider
                </a>
                <a className="button" href="#/providers">
                  Detect local servers
                </a>
              </div>
            </div>
          )}
          <details open={system !== ''}>
            <summary>System prompt</summary>
            <div className="field" style={{ marginTop: 6 }}>
              <label htmlFor="pg-system">System prompt</label>
              <textarea
                id="pg-system"
                rows={3}
                value={system}
                placeholder="You are a helpful assistant."
                onChange={(e) => actions.setSystem(e.target.value)}
              />
            </div>
          </details>
          <section className="transcript" ref={transcriptRef} aria-label="Conversation">
            {turns.length === 0 ? (
              <p className="muted">Send a message to start. Replies stream in with their tokens, cost and timing.</p>
            ) : (
              turns.map((t) => <TurnBubble key={t.id} turn={t} />)
            )}
          </section>
          <div className="visually-hidden" aria-live="polite">
            {announcement}
          </div>
          <div className="composer">
            <div className="field">
              <label htmlFor="pg-input">Message</label>
              <textarea
                id="pg-input"
                rows={3}
                value={input}
                placeholder="Ask something… (Ctrl+Enter sends, Esc stops)"
                onChange={(e) => setInput(e.target.value)}
                onKeyDown={onComposerKey}
              />
            </div>
            {attachment && (
              <div className="attachment">
                <img src={attachment} alt="Attachment preview" />
                <button type="button" className="small" onClick={() => actions.setAttachment(null)}>
                  Remove image
                </button>
              </div>
            )}
            {attachError && (
              <p className="error" role="alert">
                {attachError}
              </p>
            )}
            <div className="row">
              <input
                ref={fileRef}
                id="pg-image"
                type="file"
                accept="image/*"
                className="visually-hidden"
                onChange={(e) => {
                  onFile(e.target.files?.[0])
                  e.target.value = ''
                }}
              />
              <button type="button" onClick={() => fileRef.current?.click()}>
                Attach image
              </button>
              <span className="spacer" style={{ flex: 1 }} />
              {streaming ? (
                <button type="button" className="danger" onClick={actions.stop} aria-keyshortcuts="Escape">
                  Stop
                </button>
              ) : (
                <button
                  type="button"
                  className="primary"
                  onClick={submit}
                  disabled={!model || (!input.trim() && !attachment)}
                  aria-keyshortcuts="Control+Enter"
                >
                  Send
                </button>
              )}
            </div>
          </div>
          <div className="row">
            <button type="button" onClick={() => handOff('compare')} disabled={!model}>
              Open in Compare
            </button>
            <button type="button" onClick={() => handOff('prompt')} disabled={turns.length === 0 && !system.trim()}>
              Save as prompt
            </button>
            <button type="button" onClick={actions.clear} disabled={turns.length === 0}>
              Clear
            </button>
          </div>
        </section>
        <aside className="panel stack" aria-labelledby="params-heading">
          <h2 id="params-heading">Parameters</h2>
          <NumberParam
            id="temperature"
            label="Temperature"
            hint="0–2; higher is more varied."
            min={0}
            max={2}
            step={0.1}
          />
          <NumberParam
            id="maxTokens"
            label="Max tokens"
            hint="Upper bound on the reply's length."
            min={1}
            max={200000}
            step={1}
          />
          <NumberParam id="topP" label="Top p" hint="0–1; nucleus sampling." min={0} max={1} step={0.05} />
          <p className="field-hint">Empty fields use the model's default. Replies always stream.</p>
          <ToolsPanel />
        </aside>
      </div>
    </main>
  )
}
