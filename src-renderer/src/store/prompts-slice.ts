import type { StateCreator } from 'zustand'
import { errorMessage } from '../api/client'
import {
  type ArmStats,
  type LabelMove,
  type PromptContent,
  type PromptDiff,
  type PromptSummary,
  type PromptVersion,
  promptsApi,
  type RunAnswer,
} from '../api/prompts'

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

export interface PromptsSlice {
  prompts: PromptSummary[]
  promptsQuery: string
  promptsLoading: boolean
  promptsError: string | null
  activePrompt: string | null
  versions: PromptVersion[]
  labelMoves: LabelMove[]
  armStats: ArmStats[]
  draft: PromptDraft | null
  isDraftDirty: boolean
  promptDiff: PromptDiff | null
  promptRun: RunAnswer | { error: string } | null
  isPromptRunning: boolean
  promptNotice: string | null
  loadPrompts(q?: string): Promise<void>
  selectPrompt(name: string): Promise<void>
  newPrompt(seed?: Partial<PromptContent>): void
  editDraft(change: Partial<PromptDraft>): void
  editDraftContent(change: Partial<PromptContent>): void
  saveDraft(note: string): Promise<boolean>
  loadPromptDiff(from: number, to: number): Promise<void>
  movePromptLabel(label: string, version: number): Promise<void>
  runPrompt(variables: Record<string, string>, version?: number): Promise<void>
  ratePromptRun(rating: 'up' | 'down'): Promise<void>
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
  prompts: [],
  promptsQuery: '',
  promptsLoading: false,
  promptsError: null,
  activePrompt: null,
  versions: [],
  labelMoves: [],
  armStats: [],
  draft: null,
  isDraftDirty: false,
  promptDiff: null,
  promptRun: null,
  isPromptRunning: false,
  promptNotice: null,

  async loadPrompts(q) {
    const promptsQuery = q ?? get().promptsQuery
    set({ promptsLoading: true, promptsQuery })
    try {
      const page = await promptsApi.list(promptsQuery)
      set({ prompts: page.items, promptsError: null })
    } catch (err) {
      set({ promptsError: errorMessage(err) })
    } finally {
      set({ promptsLoading: false })
    }
  },

  async selectPrompt(name) {
    set({ activePrompt: name, promptDiff: null, promptRun: null, promptNotice: null })
    try {
      const [versions, moves, stats] = await Promise.all([
        promptsApi.versions(name),
        promptsApi.labelHistory(name),
        promptsApi.stats(name),
      ])
      set({
        versions: versions.items,
        labelMoves: moves.items,
        armStats: stats.items,
        draft: versions.items[0] ? draftOf(versions.items[0]) : null,
        isDraftDirty: false,
        promptsError: null,
      })
    } catch (err) {
      set({ promptsError: errorMessage(err) })
    }
  },

  newPrompt(seed) {
    set({
      activePrompt: null,
      versions: [],
      labelMoves: [],
      armStats: [],
      promptDiff: null,
      promptRun: null,
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
      const saved = await promptsApi.save(draft.name, content, note)
      await Promise.all([get().loadPrompts(), get().selectPrompt(draft.name)])
      // Selecting reloads the draft from the saved version and clears notices, so the notice comes last.
      set({
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

  async loadPromptDiff(from, to) {
    const name = get().activePrompt
    if (!name) return
    try {
      set({ promptDiff: await promptsApi.diff(name, from, to), promptsError: null })
    } catch (err) {
      set({ promptsError: errorMessage(err) })
    }
  },

  async movePromptLabel(label, version) {
    const name = get().activePrompt
    if (!name) return
    try {
      await promptsApi.setLabel(name, label, { version })
      await Promise.all([get().loadPrompts(), get().selectPrompt(name)])
      set({ promptNotice: `${label} → v${version}` })
    } catch (err) {
      set({ promptsError: errorMessage(err) })
    }
  },

  async runPrompt(variables, version) {
    const name = get().activePrompt
    if (!name) return
    set({ isPromptRunning: true, promptRun: null })
    try {
      set({ promptRun: await promptsApi.run(name, { variables, version }) })
    } catch (err) {
      set({ promptRun: { error: errorMessage(err) } })
    } finally {
      set({ isPromptRunning: false })
    }
  },

  async ratePromptRun(rating) {
    const run = get().promptRun
    if (!run || !('requestId' in run) || !run.requestId) return
    try {
      await promptsApi.feedback(run.requestId, rating)
      set({ promptNotice: rating === 'up' ? 'Rated good' : 'Rated bad' })
    } catch (err) {
      set({ promptsError: errorMessage(err) })
    }
  },
})
