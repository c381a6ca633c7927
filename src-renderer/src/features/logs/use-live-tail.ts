import { type RefObject, useEffect } from 'react'
import { useAppStore } from '../../store'

const LIVE_MS = 5000

/**
 * The live view: every LIVE_MS, the rows newer than the top one, while the page is visible, the list is
 * scrolled to the top and no drawer is open. The slice skips a tick while another list request runs, so
 * a slow gateway never gets a second request stacked on the first.
 */
export function useLiveTail(viewportRef: RefObject<HTMLElement | null>, enabled: boolean): void {
  const drawerOpen = useAppStore((s) => s.detailId !== null)
  const refresh = useAppStore((s) => s.refreshLogs)
  useEffect(() => {
    if (!enabled || drawerOpen) return
    const t = setInterval(() => {
      if (document.visibilityState === 'visible' && (viewportRef.current?.scrollTop ?? 0) === 0) void refresh()
    }, LIVE_MS)
    return () => clearInterval(t)
  }, [viewportRef, enabled, drawerOpen, refresh])
}
