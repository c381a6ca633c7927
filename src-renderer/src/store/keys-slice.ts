import type { StateCreator } from 'zustand'
import type { BudgetPeriod, KeyInput, KeyItem, KeyUpdate } from '../../../src-shared/admin-api'
import { errorMessage } from '../api/client'
import { createKey, updateKey } from '../queries/keys'

/** The create form as typed: every field a string, so a half-typed number is never lost. */
export interface KeyDraft {
  name: string
  /** Comma- or newline-separated globs; empty allows every model. */
  models: string
  rpm: string
  tpm: string
  budgetUsd: string
  budgetPeriod: BudgetPeriod
  /** `block`, or `downgrade` with `downgradeModel`. */
  onExceed: 'block' | 'downgrade'
  downgradeModel: string
  tags: string
  /** `YYYY-MM-DD` from a date input, or empty. */
  expiresAt: string
  /** What the key reaches through `/mcp`: globs, comma-separated; all empty and unconfirmed: nothing. */
  mcpTools: string
  mcpPrompts: string
  /** Server names whose resources it may read. */
  mcpResources: string
  mcpConfirmed: boolean
  /** The workspace's id; empty: `default`. */
  workspace: string
}

export const emptyKeyDraft = (): KeyDraft => ({
  name: '',
  models: '',
  rpm: '',
  tpm: '',
  budgetUsd: '',
  budgetPeriod: 'month',
  onExceed: 'block',
  downgradeModel: '',
  tags: '',
  expiresAt: '',
  mcpTools: '',
  mcpPrompts: '',
  mcpResources: '',
  mcpConfirmed: false,
  workspace: '',
})

const list = (s: string) =>
  s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean)

/** Problems the gateway would refuse, by field, checked before sending. */
export function keyDraftErrors(d: KeyDraft, existing: string[]): Record<string, string> {
  const e: Record<string, string> = {}
  const name = d.name.trim()
  if (!name) e.name = 'Give the key a name.'
  else if (!/^[A-Za-z0-9_.-]+$/.test(name)) e.name = 'Use letters, digits, dot, dash or underscore only.'
  else if (existing.includes(name)) e.name = `A key named "${name}" exists.`
  for (const f of ['rpm', 'tpm'] as const) {
    const v = d[f].trim()
    if (v && !(Number.isInteger(Number(v)) && Number(v) > 0)) e[f] = 'A whole number above 0, or empty for no limit.'
  }
  const usd = d.budgetUsd.trim()
  if (usd && !(Number.isFinite(Number(usd)) && Number(usd) >= 0)) e.budgetUsd = 'An amount in USD, 0 or more.'
  if (usd && d.onExceed === 'downgrade' && !/^[^/]+\/.+$/.test(d.downgradeModel.trim())) {
    e.downgradeModel = 'Name the model as provider/model, e.g. ollama/llama3.'
  }
  return e
}

/** The POST body for a draft: only the fields that were filled in. */
export function keyInputFromDraft(d: KeyDraft): KeyInput {
  const input: KeyInput = { name: d.name.trim() }
  const models = list(d.models)
  if (models.length) input.models = models
  const limits: NonNullable<KeyInput['limits']> = {}
  if (d.rpm.trim()) limits.rpm = Number(d.rpm)
  if (d.tpm.trim()) limits.tpm = Number(d.tpm)
  if (Object.keys(limits).length) input.limits = limits
  if (d.budgetUsd.trim()) {
    input.budget = {
      usd: Number(d.budgetUsd),
      period: d.budgetPeriod,
      onExceed: d.onExceed === 'downgrade' ? `downgrade:${d.downgradeModel.trim()}` : 'block',
    }
  }
  const tags = list(d.tags)
  if (tags.length) input.tags = tags
  if (d.expiresAt.trim()) input.expiresAt = d.expiresAt.trim()
  const mcp: NonNullable<KeyInput['mcp']> = {}
  const tools = list(d.mcpTools)
  const prompts = list(d.mcpPrompts)
  const resources = list(d.mcpResources)
  if (tools.length) mcp.tools = tools
  if (prompts.length) mcp.prompts = prompts
  if (resources.length) mcp.resources = resources
  if (d.mcpConfirmed) mcp.confirmed = true
  if (Object.keys(mcp).length) input.mcp = mcp
  if (d.workspace) input.workspace = d.workspace
  return input
}

/** A key's settings as the form edits them (the name cannot change). */
export function draftFromKey(k: KeyItem): KeyDraft {
  const downgrade = k.budget?.onExceed.startsWith('downgrade:') ? k.budget.onExceed.slice('downgrade:'.length) : ''
  return {
    name: k.name,
    models: k.models?.join(', ') ?? '',
    rpm: k.limits?.rpm === undefined ? '' : String(k.limits.rpm),
    tpm: k.limits?.tpm === undefined ? '' : String(k.limits.tpm),
    budgetUsd: k.budget ? String(k.budget.usd) : '',
    budgetPeriod: k.budget?.period ?? 'month',
    onExceed: downgrade ? 'downgrade' : 'block',
    downgradeModel: downgrade,
    tags: k.tags?.join(', ') ?? '',
    expiresAt: k.expiresAt?.slice(0, 10) ?? '',
    mcpTools: k.mcp?.tools?.join(', ') ?? '',
    mcpPrompts: k.mcp?.prompts?.join(', ') ?? '',
    mcpResources: k.mcp?.resources?.join(', ') ?? '',
    mcpConfirmed: k.mcp?.confirmed === true,
    workspace: k.workspace ?? '',
  }
}

/**
 * The PUT body for an edited key: the fields the form shows, a cleared one as `null` (removed). The gateway
 * keeps the fields a PUT leaves out (metadata, overrides); `limits` is one field, so the per-user RPM the form
 * does not show goes back with it. An expiry whose day was left alone keeps its exact time.
 */
export function keyUpdateFromDraft(d: KeyDraft, original: KeyItem): KeyUpdate {
  const input = keyInputFromDraft(d)
  const perUserRpm = original.limits?.perUserRpm
  if (perUserRpm !== undefined) input.limits = { ...input.limits, perUserRpm }
  if (original.expiresAt && input.expiresAt === original.expiresAt.slice(0, 10)) input.expiresAt = original.expiresAt
  // Back to `default` only when the key had another workspace: a solo install's PUTs stay as they were.
  const workspace = original.workspace !== undefined && input.workspace === undefined ? { workspace: null } : {}
  return { models: null, limits: null, budget: null, tags: null, expiresAt: null, mcp: null, ...workspace, ...input }
}

/** A key being edited in the dialog: the form, and the key as it was when editing began. */
export interface KeyEdit {
  draft: KeyDraft
  original: KeyItem
}

/** A secret just issued by create or rotate, held only until the dialog showing it is closed. */
export interface IssuedSecret {
  name: string
  secret: string
  reason: 'created' | 'rotated'
}

/** The create and edit forms and the secret on show (the list is the query `keysQuery`). */
export interface KeysSlice {
  keyDraft: KeyDraft | null
  keyCreating: boolean
  keyCreateError: string | null
  issuedSecret: IssuedSecret | null
  keyEdit: KeyEdit | null
  keySaving: boolean
  keySaveError: string | null
  newKey(): void
  updateKeyDraft(patch: Partial<KeyDraft>): void
  discardKeyDraft(): void
  /** `existing`: the names in the list, which the new one must not repeat. */
  createKey(existing: string[]): Promise<boolean>
  /** Shows a secret just issued (a rotate in a key's row) in the one-time dialog. */
  showSecret(secret: IssuedSecret): void
  dismissSecret(): void
  editKey(key: KeyItem): void
  updateKeyEdit(patch: Partial<KeyDraft>): void
  cancelKeyEdit(): void
  saveKeyEdit(): Promise<boolean>
}

export const createKeysSlice: StateCreator<KeysSlice, [], [], KeysSlice> = (set, get) => ({
  keyDraft: null,
  keyCreating: false,
  keyCreateError: null,
  issuedSecret: null,
  keyEdit: null,
  keySaving: false,
  keySaveError: null,
  newKey: () => set({ keyDraft: emptyKeyDraft(), keyCreateError: null }),
  updateKeyDraft(patch) {
    const d = get().keyDraft
    if (d) set({ keyDraft: { ...d, ...patch }, keyCreateError: null })
  },
  discardKeyDraft: () => set({ keyDraft: null, keyCreateError: null }),
  async createKey(existing) {
    const d = get().keyDraft
    if (!d) return false
    if (Object.keys(keyDraftErrors(d, existing)).length > 0) return false
    set({ keyCreating: true, keyCreateError: null })
    try {
      const created = await createKey(keyInputFromDraft(d))
      set({
        keyCreating: false,
        keyDraft: null,
        issuedSecret: { name: created.name, secret: created.key, reason: 'created' },
      })
      return true
    } catch (err) {
      set({ keyCreating: false, keyCreateError: errorMessage(err) })
      return false
    }
  },
  showSecret: (issuedSecret) => set({ issuedSecret }),
  dismissSecret: () => set({ issuedSecret: null }),
  editKey: (original) => set({ keyEdit: { draft: draftFromKey(original), original }, keySaveError: null }),
  updateKeyEdit(patch) {
    const edit = get().keyEdit
    if (edit) set({ keyEdit: { ...edit, draft: { ...edit.draft, ...patch } }, keySaveError: null })
  },
  cancelKeyEdit: () => set({ keyEdit: null, keySaveError: null }),
  async saveKeyEdit() {
    const edit = get().keyEdit
    if (!edit || Object.keys(keyDraftErrors(edit.draft, [])).length > 0) return false
    set({ keySaving: true, keySaveError: null })
    try {
      await updateKey(keyUpdateFromDraft(edit.draft, edit.original))
      set({ keySaving: false, keyEdit: null })
      return true
    } catch (err) {
      set({ keySaving: false, keySaveError: errorMessage(err) })
      return false
    }
  },
})
