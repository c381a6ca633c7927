import { formatCount } from '../../format'

/** "1,234" or, past the gateway's count cap, "10,000+". */
export function formatTotal(total: number, capped: boolean): string {
  return `${formatCount(total)}${capped ? '+' : ''}`
}
