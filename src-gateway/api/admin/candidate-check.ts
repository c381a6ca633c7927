import type { GatewayConfig } from '../../config/schema.js'
import { type ConfigProblem, configProblems } from '../../config/validate.js'
import { invalidBody } from './admin-errors.js'

/**
 * What is wrong under `prefix` (`/routes/fast`) in the config a change would make, each problem at its path
 * relative to `prefix` under `root`: the fields of the body that made it. A resource is checked in place, as
 * the file would hold it, so what its schema alone cannot say (a target naming a provider that is not
 * configured, a pattern that does not compile, a field a registered policy adds) is caught too.
 */
export function problemsUnder(candidate: GatewayConfig, prefix: string, root = ''): ConfigProblem[] {
  return configProblems(candidate)
    .filter((p) => p.path === prefix || p.path.startsWith(`${prefix}/`))
    .map((p) => ({ ...p, path: `${root}${p.path.slice(prefix.length)}` || '/' }))
}

/** The admin 400 for the problems under `prefix`, if there are any. Problems elsewhere are the store's to report. */
export function checkUnder(candidate: GatewayConfig, prefix: string, root = ''): void {
  const problems = problemsUnder(candidate, prefix, root)
  if (problems.length > 0) throw invalidBody(problems)
}
