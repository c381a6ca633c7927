import type { RunListItem, RunSnapshot } from '../../api/prompts'

const KIND_NAME: Record<RunSnapshot['kind'], string> = {
  'side-by-side': 'Side-by-side run',
  matrix: 'Matrix run',
  replay: 'Replay run',
}

/**
 * "Matrix run 1": runs are numbered within their kind. Their ids are shared by every kind (a
 * side-by-side send is a run too), so the first matrix run after one would read "#2". A run not yet in
 * the list (it has just started) is the next of its kind.
 */
export function runLabel(run: Pick<RunSnapshot, 'id' | 'kind'>, runs: Pick<RunListItem, 'id' | 'kind'>[]): string {
  const earlier = runs.filter((r) => r.kind === run.kind && r.id < run.id).length
  return `${KIND_NAME[run.kind]} ${earlier + 1}`
}
