import { formatCount } from '../../format'

/** "1 model", "12 models": the noun agrees with the number. */
export function formatModelCount(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'model' : 'models'}`
}
