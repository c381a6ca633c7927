import { useEffect, useRef } from 'react'

/**
 * A `<dialog>` shown as a modal while `open` holds: the store says when, the browser gives focus trapping,
 * Escape and the backdrop. Closing goes through the dialog's own `onClose`.
 */
export function useModal(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dlg = ref.current
    if (open && dlg && !dlg.open) dlg.showModal()
  }, [open])
  return ref
}
