import type { StateCreator } from 'zustand'
import type { PolicyView, RedactionConfig } from '../../../src-shared/admin-api'
import { errorMessage, fieldErrorsOf } from '../api/client'
import { savePolicy } from '../queries/policies'

export type RedactionMode = RedactionConfig['mode']

/** A custom pattern as typed: flags as a string, empty for none. */
export interface CustomPatternDraft {
  name: string
  pattern: string
  flags: string
}

export interface RedactionDraft {
  mode: RedactionMode
  /** The built-in entity types switched on, in the gateway's order. */
  detect: string[]
  custom: CustomPatternDraft[]
  /** Not edited here; kept as the config has it. */
  skipFields: string[]
}

/** What the test box starts with: one value of most built-in types. */
export const SAMPLE_TEST_TEXT =
  'Reach Jane at jane.doe@example.com or +1 415 555 0100. Card 4111 1111 1111 1111, server 203.0.113.7.'

export function redactionDraftOf(view: PolicyView<'redaction'>): RedactionDraft {
  const c = view.config
  return {
    mode: c?.mode ?? view.defaults.mode,
    detect: c?.detect ?? view.defaults.detect,
    custom: (c?.custom ?? []).map((p) => ({ name: p.name, pattern: p.pattern, flags: p.flags ?? '' })),
    skipFields: c?.skipFields ?? [],
  }
}

/**
 * The section a draft saves as. All built-in types on leaves `detect` out, which the gateway reads as
 * "all", so a type added in a later version is detected too.
 */
export function redactionConfigOf(draft: RedactionDraft, allTypes: string[]): RedactionConfig {
  const config: RedactionConfig = { mode: draft.mode }
  const on = new Set(draft.detect)
  if (!allTypes.every((t) => on.has(t))) config.detect = allTypes.filter((t) => on.has(t)) as RedactionConfig['detect']
  if (draft.custom.length > 0) {
    config.custom = draft.custom.map((p) => ({
      name: p.name.trim(),
      pattern: p.pattern,
      ...(p.flags ? { flags: p.flags } : {}),
    }))
  }
  if (draft.skipFields.length > 0) config.skipFields = draft.skipFields
  return config
}

export function isRedactionDirty(view: PolicyView<'redaction'> | null, draft: RedactionDraft | null): boolean {
  if (!view || !draft) return false
  const all = view.defaults.detect
  return (
    JSON.stringify(redactionConfigOf(draft, all)) !== JSON.stringify(redactionConfigOf(redactionDraftOf(view), all))
  )
}

/**
 * What the gateway would refuse in the custom patterns, keyed like its error `param` (`custom.1.pattern`)
 * so a refusal from either side shows beside the same field.
 */
export function customPatternErrors(custom: CustomPatternDraft[]): Record<string, string> {
  const errors: Record<string, string> = {}
  const seen = new Set<string>()
  custom.forEach((p, i) => {
    const name = p.name.trim()
    if (!name) errors[`custom.${i}.name`] = 'Name the entity type, e.g. ticket_id.'
    else if (!/^[a-z][a-z0-9_]*$/.test(name))
      errors[`custom.${i}.name`] = 'Lower-case letters, digits and _ only, starting with a letter.'
    else if (seen.has(name)) errors[`custom.${i}.name`] = `"${name}" is used by another pattern.`
    seen.add(name)
    if (!/^[imsu]*$/.test(p.flags)) {
      errors[`custom.${i}.flags`] = 'Only i, m, s and u.'
      return
    }
    if (!p.pattern) {
      errors[`custom.${i}.pattern`] = 'Enter a regular expression.'
      return
    }
    try {
      if (new RegExp(p.pattern, p.flags).test('')) errors[`custom.${i}.pattern`] = 'Matches the empty string.'
    } catch (err) {
      errors[`custom.${i}.pattern`] = `Not a valid regular expression: ${(err as Error).message}`
    }
  })
  return errors
}

/** The redaction form (the saved section is the query `policyQuery('redaction')`). */
export interface RedactionSlice {
  /** The saved section the draft was made from, to tell an edit from a newer answer of the gateway. */
  redactionBase: PolicyView<'redaction'> | null
  redactionDraft: RedactionDraft | null
  redactionSaving: boolean
  redactionSaveError: string | null
  /** Field errors by `param`, from the last save the gateway (or the form) refused. */
  redactionFieldErrors: Record<string, string>
  /** Set by a successful save, cleared by the next edit. */
  redactionSaved: boolean
  redactionTestText: string
  /** Called with each answer of the query: a clean draft follows the gateway, edits in progress stay. */
  syncRedaction(view: PolicyView<'redaction'>): void
  setRedactionMode(mode: RedactionMode): void
  setEntityDetected(type: string, on: boolean): void
  addCustomPattern(): void
  updateCustomPattern(index: number, patch: Partial<CustomPatternDraft>): void
  removeCustomPattern(index: number): void
  discardRedaction(): void
  saveRedaction(): Promise<boolean>
  setRedactionTestText(text: string): void
}

export const createRedactionSlice: StateCreator<RedactionSlice, [], [], RedactionSlice> = (set, get) => {
  const edit = (change: (d: RedactionDraft) => RedactionDraft) => {
    const d = get().redactionDraft
    if (d) set({ redactionDraft: change(d), redactionSaved: false, redactionSaveError: null, redactionFieldErrors: {} })
  }
  return {
    redactionBase: null,
    redactionDraft: null,
    redactionSaving: false,
    redactionSaveError: null,
    redactionFieldErrors: {},
    redactionSaved: false,
    redactionTestText: SAMPLE_TEST_TEXT,
    syncRedaction(view) {
      const keep = isRedactionDirty(get().redactionBase, get().redactionDraft)
      set({ redactionBase: view, ...(keep ? {} : { redactionDraft: redactionDraftOf(view) }) })
    },
    setRedactionMode: (mode) => edit((d) => ({ ...d, mode })),
    setEntityDetected: (type, on) =>
      edit((d) => ({ ...d, detect: on ? [...new Set([...d.detect, type])] : d.detect.filter((t) => t !== type) })),
    addCustomPattern: () => edit((d) => ({ ...d, custom: [...d.custom, { name: '', pattern: '', flags: '' }] })),
    updateCustomPattern: (index, patch) =>
      edit((d) => ({ ...d, custom: d.custom.map((p, i) => (i === index ? { ...p, ...patch } : p)) })),
    removeCustomPattern: (index) => edit((d) => ({ ...d, custom: d.custom.filter((_, i) => i !== index) })),
    discardRedaction() {
      const view = get().redactionBase
      set({
        redactionDraft: view ? redactionDraftOf(view) : null,
        redactionSaveError: null,
        redactionFieldErrors: {},
      })
    },
    async saveRedaction() {
      const { redactionDraft: d, redactionBase: view } = get()
      if (!d || !view) return false
      const local = customPatternErrors(d.custom)
      if (Object.keys(local).length > 0) {
        set({ redactionFieldErrors: local, redactionSaveError: 'Fix the patterns marked below first.' })
        return false
      }
      set({ redactionSaving: true, redactionSaveError: null, redactionFieldErrors: {} })
      try {
        const saved = await savePolicy('redaction', redactionConfigOf(d, view.defaults.detect))
        set({
          redactionBase: saved,
          redactionDraft: redactionDraftOf(saved),
          redactionSaving: false,
          redactionSaved: true,
        })
        return true
      } catch (err) {
        set({ redactionSaving: false, redactionSaveError: errorMessage(err), redactionFieldErrors: fieldErrorsOf(err) })
        return false
      }
    },
    setRedactionTestText: (text) => set({ redactionTestText: text }),
  }
}
