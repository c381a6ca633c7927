import { readFileSync, writeFileSync } from 'node:fs'
import { type BrowserWindow, type Rectangle, screen } from 'electron'

export interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

const DEFAULT_STATE: WindowState = { width: 1200, height: 800, maximized: false }
const MIN_SIZE = 400
const SAVE_DELAY_MS = 500

const overlaps = (a: Rectangle, b: Rectangle) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/**
 * The size and position saved last time. A position that no display shows any more (a monitor was
 * unplugged) is dropped, so the window never opens off screen.
 */
export function loadWindowState(file: string): WindowState {
  let saved: Partial<WindowState>
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return DEFAULT_STATE
  }
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
  if (!num(saved.width) || !num(saved.height)) return DEFAULT_STATE
  const state: WindowState = {
    width: Math.max(MIN_SIZE, Math.round(saved.width)),
    height: Math.max(MIN_SIZE, Math.round(saved.height)),
    maximized: saved.maximized === true,
  }
  if (num(saved.x) && num(saved.y)) {
    const bounds = { x: saved.x, y: saved.y, width: state.width, height: state.height }
    if (screen.getAllDisplays().some((d) => overlaps(d.workArea, bounds)))
      Object.assign(state, { x: saved.x, y: saved.y })
  }
  return state
}

/** Saves the window's normal (unmaximized) bounds shortly after each move or resize, and on close. */
export function trackWindowState(win: BrowserWindow, file: string): void {
  let timer: NodeJS.Timeout | undefined
  const save = () => {
    clearTimeout(timer)
    if (win.isDestroyed()) return
    const b = win.getNormalBounds()
    const state: WindowState = { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() }
    try {
      writeFileSync(file, JSON.stringify(state))
    } catch {
      // Losing a window position is not worth interrupting the user for.
    }
  }
  const later = () => {
    clearTimeout(timer)
    timer = setTimeout(save, SAVE_DELAY_MS)
  }
  win.on('resize', later)
  win.on('move', later)
  win.on('close', save)
}
