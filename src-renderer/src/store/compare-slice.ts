import type { StateCreator } from 'zustand'
import { errorMessage } from '../api/client'
import {
  type Cell,
  compareApi,
  type MatrixRequest,
  type PromptMessage,
  promptsApi,
  type Rating,
  type RunDiff,
  type RunListItem,
  type RunSnapshot,
} from '../api/prompts'

export type CompareTab = 'side' | 'matrix' | 'replay'

export interface ComparePane {
  model: string
  state: 'idle' | 'queued' | 'streaming' | 'done' | 'error'
  text: string
  cell: Cell | null
  error: string | null
}

export interface CompareSlice {
  compareTab: CompareTab
  sideModels: string[]
  sideInput: string
  sideSystem: string
  panes: ComparePane[]
  isSideRunning: boolean
  sideError: string | null
  matrixRun: RunSnapshot | null
  matrixError: string | null
  compareRuns: RunListItem[]
  runDiff: RunDiff | null
  datasetPreview: { columns: string[]; total: number } | null
  datasetError: string | null
  previewDataset(format: 'csv' | 'jsonl', text: string): Promise<void>
  setDatasetError(message: string | null): void
  setCompareTab(tab: CompareTab): void
  setSideModels(models: string[]): void
  setSideInput(text: string): void
  setSideSystem(text: string): void
  runSideBySide(): Promise<void>
  stopSideBySide(): void
  startMatrix(req: MatrixRequest): Promise<void>
  startReplay(req: { filter: Record<string, string>; limit: number; models: string[] }): Promise<void>
  openRun(id: number): Promise<void>
  cancelMatrix(): Promise<void>
  rerunMatrix(failuresOnly: boolean): Promise<void>
  loadCompareRuns(): Promise<void>
  diffAgainst(runId: number | null): Promise<void>
  rateCell(cell: Pick<Cell, 'requestId'>, rating: Rating): Promise<void>
  /** Downloads the open run; the gateway names the file. */
  exportRun(format: 'csv' | 'json'): Promise<void>
}

const POLL_MS = 400

// Per-tab runtime handles that are not state: the stream's abort, pending tokens, the poll timer.
let sideAbort: AbortController | null = null
let pollTimer: ReturnType<typeof setTimeout> | undefined
const pendingText = new Map<number, string>()
let isFrameQueued = false

export const createCompareSlice: StateCreator<CompareSlice, [], [], CompareSlice> = (set, get) => {
  const updatePane = (col: number, change: Partial<ComparePane>) =>
    set({ panes: get().panes.map((p, i) => (i === col ? { ...p, ...change } : p)) })

  // Streaming tokens are gathered here and committed once per animation frame (style guide §5).
  const flushText = () => {
    isFrameQueued = false
    if (pendingText.size === 0) return
    const panes = get().panes.map((p, i) => {
      const add = pendingText.get(i)
      return add ? { ...p, text: p.text + add } : p
    })
    pendingText.clear()
    set({ panes })
  }
  const queueText = (col: number, text: string) => {
    pendingText.set(col, (pendingText.get(col) ?? '') + text)
    if (!isFrameQueued) {
      isFrameQueued = true
      requestAnimationFrame(flushText)
    }
  }

  const poll = async (id: number) => {
    clearTimeout(pollTimer)
    try {
      const run = await compareApi.run(id)
      if (get().matrixRun && get().matrixRun?.id !== id) return
      set({ matrixRun: run, matrixError: null })
      if (run.isActive) pollTimer = setTimeout(() => poll(id), POLL_MS)
      else void get().loadCompareRuns()
    } catch (err) {
      set({ matrixError: errorMessage(err) })
    }
  }

  return {
    compareTab: 'side',
    sideModels: [],
    sideInput: '',
    sideSystem: '',
    panes: [],
    isSideRunning: false,
    sideError: null,
    matrixRun: null,
    matrixError: null,
    compareRuns: [],
    runDiff: null,
    datasetPreview: null,
    datasetError: null,

    async previewDataset(format, text) {
      if (!text.trim()) {
        set({ datasetPreview: null, datasetError: null })
        return
      }
      try {
        const { columns, total } = await compareApi.parseDataset(format, text)
        set({ datasetPreview: { columns, total }, datasetError: null })
      } catch (err) {
        set({ datasetPreview: null, datasetError: errorMessage(err) })
      }
    },
    setDatasetError: (datasetError) => set({ datasetError }),

    setCompareTab: (compareTab) => set({ compareTab }),
    setSideModels: (sideModels) =>
      set({
        sideModels,
        panes: sideModels.map(
          (model) =>
            get().panes.find((p) => p.model === model) ?? { model, state: 'idle', text: '', cell: null, error: null },
        ),
      }),
    setSideInput: (sideInput) => set({ sideInput }),
    setSideSystem: (sideSystem) => set({ sideSystem }),

    async runSideBySide() {
      const { sideModels, sideInput, sideSystem } = get()
      if (sideModels.length === 0 || sideInput.trim() === '') return
      sideAbort?.abort()
      const abort = new AbortController()
      sideAbort = abort
      pendingText.clear()
      set({
        isSideRunning: true,
        sideError: null,
        panes: sideModels.map((model) => ({ model, state: 'queued', text: '', cell: null, error: null })),
      })
      const messages: PromptMessage[] = [
        ...(sideSystem.trim() ? [{ role: 'system' as const, content: sideSystem }] : []),
        { role: 'user', content: sideInput },
      ]
      try {
        await compareApi.sideBySide(
          { models: sideModels, messages },
          (e) => {
            if (e.event === 'cell') updatePane(e.data.col, { state: 'streaming' })
            else if (e.event === 'delta') queueText(e.data.col, e.data.text)
            else if (e.event === 'done') {
              flushText()
              const { cell } = e.data
              updatePane(e.data.col, {
                state: cell.status === 'done' ? 'done' : 'error',
                text: cell.output ?? '',
                cell,
                error: cell.status === 'done' ? null : (cell.error ?? cell.status),
              })
            }
          },
          abort.signal,
        )
      } catch (err) {
        if (!abort.signal.aborted) set({ sideError: errorMessage(err) })
      } finally {
        flushText()
        if (sideAbort === abort) {
          sideAbort = null
          set({
            isSideRunning: false,
            panes: get().panes.map((p) =>
              p.state === 'queued' || p.state === 'streaming' ? { ...p, state: 'error', error: 'stopped' } : p,
            ),
          })
        }
      }
    },

    stopSideBySide() {
      sideAbort?.abort()
    },

    async startMatrix(req) {
      try {
        set({ matrixError: null, runDiff: null })
        const run = await compareApi.startMatrix(req)
        set({ matrixRun: run })
        void poll(run.id)
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async startReplay(req) {
      try {
        set({ matrixError: null, runDiff: null })
        const run = await compareApi.replay(req)
        set({ matrixRun: run })
        void poll(run.id)
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async openRun(id) {
      set({ matrixRun: null, runDiff: null })
      await poll(id)
    },

    async cancelMatrix() {
      const run = get().matrixRun
      if (!run) return
      try {
        set({ matrixRun: await compareApi.cancel(run.id) })
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async rerunMatrix(failuresOnly) {
      const run = get().matrixRun
      if (!run) return
      try {
        const next = await compareApi.rerun(run.id, failuresOnly)
        set({ matrixRun: next, runDiff: null })
        void poll(next.id)
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async loadCompareRuns() {
      try {
        set({ compareRuns: (await compareApi.runs()).items })
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async diffAgainst(runId) {
      const run = get().matrixRun
      if (!run || runId === null) {
        set({ runDiff: null })
        return
      }
      try {
        set({ runDiff: await compareApi.diff(run.id, runId) })
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async exportRun(format) {
      const run = get().matrixRun
      if (!run) return
      try {
        await compareApi.exportRun(run.id, format)
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async rateCell(cell, rating) {
      if (!cell.requestId) return
      const requestId = cell.requestId
      try {
        await promptsApi.feedback(requestId, rating)
        const run = get().matrixRun
        if (run) {
          set({
            matrixRun: { ...run, cells: run.cells.map((c) => (c.requestId === requestId ? { ...c, rating } : c)) },
          })
        }
        set({
          panes: get().panes.map((p) => (p.cell?.requestId === requestId ? { ...p, cell: { ...p.cell, rating } } : p)),
        })
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },
  }
}
