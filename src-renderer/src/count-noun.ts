import { formatCount } from './format'

/** "1 model", "12 models": the noun agrees with the number. */
export function countNoun(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`
}
