import { create } from 'zustand'
import { createStatusSlice, type StatusSlice } from './status-slice'

export type AppState = StatusSlice

export const useAppStore = create<AppState>()((...a) => ({
  ...createStatusSlice(...a),
}))
