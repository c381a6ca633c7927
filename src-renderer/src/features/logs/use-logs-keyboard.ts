import { type KeyboardEvent, type RefObject, useEffect, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { hrefFor, replaceQuery } from '../../app/router'
import { useAppStore } from '../../store'
import { useLogList } from './use-log-list'

/** Row height in the virtual list; the header row has the same. */
export const ROW_HEIGHT = 32

const isField = (t: EventTarget | null) => /^(INPUT|TEXTAREA|SELECT)$/.test((t as HTMLElement | null)?.tagName ?? '')

export interface LogsKeyboard {
  /** The row that has the keyboard focus (and opens on Enter). */
  active: number
  openRow(index: number): void
  /** Closes the drawer and gives the focus back to the row that opened it. */
  closeDrawer(): void
  onRowKey(e: KeyboardEvent): void
}

/**
 * Moving through the logs from the keyboard: ↑/↓ or j/k move between rows (and, with the drawer open, the
 * drawer follows), Enter opens a row, `/` focuses the search from anywhere but another field.
 */
export function useLogsKeyboard(
  viewportRef: RefObject<HTMLElement | null>,
  searchRef: RefObject<HTMLInputElement | null>,
): LogsKeyboard {
  const { items } = useLogList()
  const filters = useAppStore(useShallow((s) => s.logFilters))
  const drawerOpen = useAppStore((s) => s.detailId !== null)
  const [active, setActive] = useState(0)
  const openerRef = useRef<HTMLElement | null>(null)

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === '/' && !isField(e.target)) {
        e.preventDefault()
        searchRef.current?.focus()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [searchRef])

  const openRow = (index: number) => {
    const item = items[index]
    if (!item) return
    setActive(index)
    openerRef.current = viewportRef.current?.querySelector<HTMLElement>(`[data-log-id="${item.id}"]`) ?? null
    window.location.hash = hrefFor('/logs', { ...filters, id: String(item.id) })
  }
  const closeDrawer = () => {
    replaceQuery({ ...filters })
    openerRef.current?.focus()
  }
  const moveActive = (by: number) => {
    const next = Math.min(items.length - 1, Math.max(0, active + by))
    setActive(next)
    const el = viewportRef.current
    if (el) {
      // The header row sits over the first ROW_HEIGHT of the viewport.
      const top = next * ROW_HEIGHT
      if (top < el.scrollTop) el.scrollTop = top
      else if (top + 2 * ROW_HEIGHT > el.scrollTop + el.clientHeight)
        el.scrollTop = top + 2 * ROW_HEIGHT - el.clientHeight
      requestAnimationFrame(() => el.querySelector<HTMLElement>(`[aria-rowindex="${next + 2}"]`)?.focus())
    }
    if (drawerOpen && items[next]) replaceQuery({ ...filters, id: String(items[next].id) })
  }
  const onRowKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'j') moveActive(1)
    else if (e.key === 'ArrowUp' || e.key === 'k') moveActive(-1)
    else if (e.key === 'Enter') openRow(active)
    else return
    e.preventDefault()
  }
  // With the drawer open (the focus is in it), j/k still walk through the filtered rows.
  useEffect(() => {
    if (!drawerOpen) return
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.key === 'j' || e.key === 'k') && !isField(e.target)) moveActive(e.key === 'j' ? 1 : -1)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })
  return { active, openRow, closeDrawer, onRowKey }
}
