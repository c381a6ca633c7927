import { type RefObject, useEffect, useState } from 'react'

/** The element's height as it resizes (the virtual list draws only the rows that fit, plus some). */
export function useViewportHeight(ref: RefObject<HTMLElement | null>, initial = 600): number {
  const [height, setHeight] = useState(initial)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const ro = new ResizeObserver(() => setHeight(el.clientHeight))
    ro.observe(el)
    return () => ro.disconnect()
  }, [ref])
  return height
}
