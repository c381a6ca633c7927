import { useQueryClient } from '@tanstack/react-query'
import { type RefObject, useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { refreshLogTail } from '../../queries/logs'
import { useAppStore } from '../../store'

const LIVE_MS = 5000

/**
 * The live view: every LIVE_MS, the rows newer than the top one, while the page is visible, the list is
 * scrolled to the top and no drawer is open. A tick is skipped while another list request runs, so a slow
 * gateway never gets a second request stacked on the first.
 */
export function useLiveTail(viewportRef: RefObject<HTMLElement | null>, enabled: boolean): void {
  const client = useQueryClient()
  const drawerOpen = useAppStore((s) => s.detailId !== null)
  const filters = useAppStore(useShallow((s) => s.logFilters))
  useEffect(() => {
    if (!enabled || drawerOpen) return
    const t = setInterval(() => {
      if (document.visibilityState === 'visible' && (viewportRef.current?.scrollTop ?? 0) === 0) {
        // A failed tick leaves the rows as they are; the next one asks again.
        refreshLogTail(client, filters).catch(() => {})
      }
    }, LIVE_MS)
    return () => clearInterval(t)
  }, [viewportRef, enabled, drawerOpen, client, filters])
}
