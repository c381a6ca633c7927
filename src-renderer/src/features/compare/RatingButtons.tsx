import type { Cell } from '../../api/prompts'
import { useAppStore } from '../../store'

/** Good and Bad on one answer (a side-by-side pane or a matrix cell), kept together when the line wraps. */
export function RatingButtons({ cell, goodLabel, badLabel }: { cell: Cell; goodLabel: string; badLabel: string }) {
  const rate = useAppStore((s) => s.rateCell)
  return (
    <span className="rating-buttons">
      <button type="button" aria-label={goodLabel} aria-pressed={cell.rating === 'up'} onClick={() => rate(cell, 'up')}>
        Good
      </button>
      <button
        type="button"
        aria-label={badLabel}
        aria-pressed={cell.rating === 'down'}
        onClick={() => rate(cell, 'down')}
      >
        Bad
      </button>
    </span>
  )
}
