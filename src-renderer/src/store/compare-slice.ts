import type { StateCreator } from 'zustand'
import { errorMessage } from '../api/client'
import {
  type Cell,
  compareApi,
  type MatrixRequest,
  type PromptMessage,
  promptsApi,
  type Rating,
  type RunSnapshot,
} from '../api/prompts'
import { queryClient } from '../api/query-client'
import { compareRunQuery, putRun, runsChanged } from '../queries/compare'

export type CompareTab = 'side' | 'matrix' | 'replay'

export interface ComparePane {
  model: string
  state: 'idle' | 'queued' | 'streaming' | 'done' | 'error'
  text: string
  cell: Cell | null
  error: string | null
}

/**
 * Compare's own state: the tab, the side-by-side panes as they stream, the run on screen and the run it is
 * compared with. Runs, their cells and the runs list are queries (queries/compare.ts).
 */
export interface CompareSlice {
  compareTab: CompareTab
  sideModels: string[]
  sideInput: string
  sideSystem: string
  panes: ComparePane[]
  isSideRunning: boolean
  sideError: string | null
  /** The matrix or replay run on screen (its snapshot is the query `compareRunQuery(id)`). */
  openRunId: number | null
  /** The run the open one is compared with ("vs run"), if any. */
  diffAgainstId: number | null
  /** The error of the last start, cancel, re-run, export or rating. */
  matrixError: string | null
  setCompareTab(tab: CompareTab): void
  setSideModels(models: string[]): void
  setSideInput(text: string): void
  setSideSystem(text: string): void
  runSideBySide(): Promise<void>
  stopSideBySide(): void
  startMatrix(req: MatrixRequest): Promise<void>
  startReplay(req: { filter: Record<string, string>; limit: number; models: string[] }): Promise<void>
  cancelMatrix(): Promise<void>
  rerunMatrix(failuresOnly: boolean): Promise<void>
  diffAgainst(runId: number | null): void
  rateCell(cell: Pick<Cell, 'requestId'>, rating: Rating): Promise<void>
  /** Downloads the open run; the gateway names the file. */
  exportRun(format: 'csv' | 'json'): Promise<void>
}

// Per-tab runtime handles that are not state: the stream's abort and the pending tokens.
let sideAbort: AbortController | null = null
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

  /** A run the gateway just started: it goes into the cache and on screen, and the runs list grows. */
  const showRun = (run: RunSnapshot) => {
    putRun(run)
    set({ openRunId: run.id, diffAgainstId: null, matrixError: null })
    void runsChanged()
  }

  return {
    compareTab: 'side',
    sideModels: [],
    sideInput: '',
    sideSystem: '',
    panes: [],
    isSideRunning: false,
    sideError: null,
    openRunId: null,
    diffAgainstId: null,
    matrixError: null,

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
          // The comparison is stored as a run: the runs list (and its labels) includes it now.
          void runsChanged()
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
        set({ matrixError: null })
        showRun(await compareApi.startMatrix(req))
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async startReplay(req) {
      try {
        set({ matrixError: null })
        showRun(await compareApi.replay(req))
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async cancelMatrix() {
      const id = get().openRunId
      if (id === null) return
      try {
        putRun(await compareApi.cancel(id))
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async rerunMatrix(failuresOnly) {
      const id = get().openRunId
      if (id === null) return
      try {
        showRun(await compareApi.rerun(id, failuresOnly))
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    diffAgainst: (diffAgainstId) => set({ diffAgainstId }),

    async exportRun(format) {
      const id = get().openRunId
      if (id === null) return
      try {
        await compareApi.exportRun(id, format)
      } catch (err) {
        set({ matrixError: errorMessage(err) })
      }
    },

    async rateCell(cell, rating) {
      if (!cell.requestId) return
      const requestId = cell.requestId
      try {
        await promptsApi.feedback(requestId, rating)
        const id = get().openRunId
        if (id !== null) {
          queryClient.setQueryData(
            compareRunQuery(id).queryKey,
            (run) => run && { ...run, cells: run.cells.map((c) => (c.requestId === requestId ? { ...c, rating } : c)) },
          )
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
