import type { StateCreator } from 'zustand'
import { errorMessage } from '../api/client'
import { type PromptContent, type PromptVersion, promptsApi } from '../api/prompts'
import { movePromptLabel, savePromptVersion } from '../queries/prompts'

/** The editor's working copy: a new prompt (no saved name yet) or edits on top of a saved version. */
export interface PromptDraft {
  name: string
  isNew: boolean
  content: PromptContent
  /** Parameters and schema as the user types them (JSON text), parsed on save. */
  paramsText: string
  schemaText: string
  baseVersion: number | null
}

/**
 * The Prompts page's own state: the search text, the prompt chosen and the draft. The library,
 * versions, label history, stats and diffs are queries (queries/prompts.ts).
 */
export interface PromptsSlice {
  promptsQuery: string
  /** The error of the last save, label move or rating. */
  promptsError: string | null
  activePrompt: string | null
  draft: PromptDraft | null
  isDraftDirty: boolean
  promptNotice: string | null
  setPromptsQuery(q: string): void
  /** Chooses a prompt; its draft comes from its newest version once the versions are read (`openDraft`). */
  selectPrompt(name: string): void
  openDraft(version: PromptVersion): void
  newPrompt(seed?: Partial<PromptContent>): void
  editDraft(change: Partial<PromptDraft>): void
  editDraftContent(change: Partial<PromptContent>): void
  saveDraft(note: string): Promise<boolean>
  movePromptLabel(label: string, version: number): Promise<void>
  /** Rates a run's answer (the run's request id; none when the gateway gave none). */
  ratePromptRun(requestId: string | null, rating: 'up' | 'down'): Promise<void>
}

function draftOf(v: PromptVersion): PromptDraft {
  return {
    name: v.name,
    isNew: false,
    content: v.content,
    paramsText: v.content.params ? JSON.stringify(v.content.params, null, 2) : '',
    schemaText: v.content.responseSchema ? JSON.stringify(v.content.responseSchema, null, 2) : '',
    baseVersion: v.version,
  }
}

function parseObject(text: string, what: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined
  const value = JSON.parse(text)
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a JSON object`)
  return value
}

export const createPromptsSlice: StateCreator<PromptsSlice, [], [], PromptsSlice> = (set, get) => ({
  promptsQuery: '',
  promptsError: null,
  activePrompt: null,
  draft: null,
  isDraftDirty: false,
  promptNotice: null,

  setPromptsQuery: (promptsQuery) => set({ promptsQuery }),

  selectPrompt(name) {
    set({
      activePrompt: name,
      draft: null,
      isDraftDirty: false,
      promptNotice: null,
      promptsError: null,
    })
  },

  openDraft(version) {
    if (version.name === get().activePrompt) set({ draft: draftOf(version), isDraftDirty: false })
  },

  newPrompt(seed) {
    set({
      activePrompt: null,
      promptNotice: null,
      isDraftDirty: Boolean(seed),
      draft: {
        name: '',
        isNew: true,
        content: { messages: seed?.messages ?? [{ role: 'user', content: '' }], model: seed?.model },
        paramsText: seed?.params ? JSON.stringify(seed.params, null, 2) : '',
        schemaText: '',
        baseVersion: null,
      },
    })
  },

  editDraft(change) {
    const draft = get().draft
    if (draft) set({ draft: { ...draft, ...change }, isDraftDirty: true })
  },

  editDraftContent(change) {
    const draft = get().draft
    if (draft) set({ draft: { ...draft, content: { ...draft.content, ...change } }, isDraftDirty: true })
  },

  async saveDraft(note) {
    const draft = get().draft
    if (!draft) return false
    try {
      const content: PromptContent = {
        messages: draft.content.messages,
        ...(draft.content.model ? { model: draft.content.model } : {}),
      }
      const params = parseObject(draft.paramsText, 'Parameters')
      const schema = parseObject(draft.schemaText, 'JSON schema')
      if (params) content.params = params
      if (schema) content.responseSchema = schema
      const saved = await savePromptVersion(draft.name, content, note)
      set({
        activePrompt: draft.name,
        draft: draftOf(saved.version),
        isDraftDirty: false,
        promptsError: null,
        promptNotice: saved.created
          ? `Saved as v${saved.version.version}`
          : `No changes since v${saved.version.version}: nothing saved`,
      })
      return true
    } catch (err) {
      set({ promptsError: errorMessage(err) })
      return false
    }
  },

  async movePromptLabel(label, version) {
    const name = get().activePrompt
    if (!name) return
    try {
      await movePromptLabel(name, label, version)
      set({ promptNotice: `${label} → v${version}`, promptsError: null })
    } catch (err) {
      set({ promptsError: errorMessage(err) })
    }
  },

  async ratePromptRun(requestId, rating) {
    if (!requestId) return
    try {
      await promptsApi.feedback(requestId, rating)
      set({ promptNotice: rating === 'up' ? 'Rated good' : 'Rated bad' })
    } catch (err) {
      set({ promptsError: errorMessage(err) })
    }
  },
})
