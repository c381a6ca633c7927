import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { errorMessage } from '../../api/client'
import { promptListQuery } from '../../queries/prompts'
import { useAppStore } from '../../store'
import { contentFromHandoff } from './handoff-seed'
import { PromptDiffView } from './PromptDiffView'
import { PromptEditor } from './PromptEditor'
import { useActiveLabels, useActiveVersions } from './use-active-prompt'
import './prompts.css'
import { VersionHistory } from './VersionHistory'

type Tab = 'Editor' | 'Versions' | 'Diff'
const TABS: Tab[] = ['Editor', 'Versions', 'Diff']
function PromptList() {
  const active = useAppStore((s) => s.activePrompt)
  const query = useAppStore((s) => s.promptsQuery)
  const setQuery = useAppStore((s) => s.setPromptsQuery)
  // The last answer stays while the next search is out, so the list does not blink at each key.
  const list = useQuery({ ...promptListQuery(query), placeholderData: keepPreviousData })
  const prompts = list.data ?? []
  const select = useAppStore((s) => s.selectPrompt)
  const newPrompt = useAppStore((s) => s.newPrompt)
  // Workspaces exist for a team only; a solo list stays as it was.
  const team = useAppStore((s) => s.authMode === 'team')
  return (
    <aside className="panel prompt-list" aria-label="Prompt list">
      <label className="field">
        <span className="visually-hidden">Search prompts</span>
        <input
          type="search"
          placeholder="Search prompts"
          aria-label="Search prompts"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <ul>
        {prompts.map((p) => (
          <li key={p.name}>
            <button
              type="button"
              aria-current={p.name === active ? 'true' : undefined}
              onClick={() => select(p.name)}
              data-testid="prompt-item"
            >
              <span>{p.name}</span>
              {team && (
                <span className="badge" title="The workspace this prompt belongs to" data-testid="prompt-workspace">
                  {p.workspace}
                </span>
              )}
              <span className="muted">
                v{p.latestVersion}
                {p.labels.map((l) => ` · ${l.label}`).join('')}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {list.error && (
        <p className="error" role="alert">
          Could not list prompts: {errorMessage(list.error)}
        </p>
      )}
      {list.data?.length === 0 && <p className="muted">{query ? 'No match.' : 'No prompts yet.'}</p>}
      <button type="button" onClick={() => newPrompt()}>
        + New prompt
      </button>
    </aside>
  )
}

export function PromptsPage() {
  const draft = useAppStore((s) => s.draft)
  const dirty = useAppStore((s) => s.isDraftDirty)
  const actionError = useAppStore((s) => s.promptsError)
  const notice = useAppStore((s) => s.promptNotice)
  const { versions, error: versionsError } = useActiveVersions()
  const labels = useActiveLabels()
  const openDraft = useAppStore((s) => s.openDraft)
  const save = useAppStore((s) => s.saveDraft)
  const newPrompt = useAppStore((s) => s.newPrompt)
  const handoff = useAppStore((s) => (s.handoff?.kind === 'prompt' ? s.handoff : null))
  const clearHandoff = useAppStore((s) => s.clearHandoff)
  const [tab, setTab] = useState<Tab>('Editor')
  const [note, setNote] = useState('')
  const [pair, setPair] = useState<[number, number]>([1, 1])

  const error = actionError ?? (versionsError ? errorMessage(versionsError) : null)

  // A prompt just chosen opens on its newest version once the versions are read.
  useEffect(() => {
    if (!draft && versions[0]) openDraft(versions[0])
  }, [draft, versions, openDraft])
  // “Save as prompt” in the Playground lands here as a new, unsaved prompt.
  useEffect(() => {
    if (!handoff) return
    newPrompt(contentFromHandoff(handoff))
    clearHandoff()
  }, [handoff, newPrompt, clearHandoff])
  useEffect(() => {
    const latest = versions[0]?.version ?? 1
    setPair([Math.max(1, latest - 1), latest])
  }, [versions])

  const onSave = async () => {
    if (await save(note)) setNote('')
  }
  const showDiff = (from: number, to: number) => {
    setPair([from, to])
    setTab('Diff')
  }

  return (
    <main className="page">
      <header className="page-header">
        <h1>Prompts</h1>
      </header>
      <div className="prompts-layout">
        <PromptList />
        <section className="panel stack" aria-label="Prompt">
          {!draft ? (
            <div className="empty">
              <p>Pick a prompt on the left, or start a new one.</p>
              <button type="button" onClick={() => newPrompt()}>
                + New prompt
              </button>
            </div>
          ) : (
            <>
              <div className="row prompt-header">
                <h2>
                  {draft.isNew ? 'New prompt' : draft.name}
                  {dirty && (
                    <span className="dirty-dot" title="Unsaved changes">
                      <span aria-hidden="true"> ●</span>
                      <span className="visually-hidden">Unsaved changes</span>
                    </span>
                  )}
                </h2>
                {draft.baseVersion !== null && <span className="badge">v{draft.baseVersion}</span>}
                {labels.map((l) => (
                  <span className="badge label-chip" key={l.label}>
                    {l.label} → {'version' in l.target ? `v${l.target.version}` : 'split'}
                  </span>
                ))}
                <span className="spacer" />
                <label className="field inline">
                  Version note
                  <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="what changed" />
                </label>
                <button type="button" className="primary" onClick={onSave} disabled={!draft.name}>
                  Save
                </button>
              </div>
              {error && (
                <p className="error" role="alert">
                  {error}
                </p>
              )}
              {notice && (
                <p className="success" role="status">
                  {notice}
                </p>
              )}
              <div className="tabs" role="tablist">
                {TABS.map((t) => (
                  <button
                    key={t}
                    type="button"
                    role="tab"
                    aria-selected={tab === t}
                    disabled={t !== 'Editor' && draft.isNew}
                    onClick={() => (t === 'Diff' ? showDiff(pair[0], pair[1]) : setTab(t))}
                  >
                    {t}
                  </button>
                ))}
              </div>
              {tab === 'Editor' && <PromptEditor />}
              {tab === 'Versions' && <VersionHistory onDiff={showDiff} />}
              {tab === 'Diff' && <PromptDiffView from={pair[0]} to={pair[1]} onPick={showDiff} />}
            </>
          )}
        </section>
      </div>
    </main>
  )
}
