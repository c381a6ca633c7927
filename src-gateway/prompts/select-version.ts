import { GatewayError } from '../core/errors.js'
import { armName, pickArm, stickyPoint } from './ab-split.js'
import { LATEST, type PromptStore, promptNotFound } from './prompt-store.js'
import type { PromptVersion } from './types.js'

export interface VersionChoice {
  version?: number
  label?: string
}

/**
 * The version a run uses: an explicit version, a label (a split label picks the caller's sticky arm),
 * or `latest` when neither is given.
 */
export async function selectVersion(
  store: PromptStore,
  name: string,
  choice: VersionChoice,
  caller: string,
): Promise<{ version: PromptVersion; arm?: string }> {
  if (choice.version !== undefined && choice.label !== undefined) {
    throw new GatewayError('invalid_request', "give either 'version' or 'label', not both", { param: 'label' })
  }
  if (choice.version !== undefined) return { version: await store.requireVersion(name, choice.version) }
  if (choice.label === undefined || choice.label === LATEST) {
    const latest = await store.latestVersion(name)
    if (!latest) throw promptNotFound(name)
    return { version: latest }
  }
  const label = await store.getLabel(name, choice.label)
  if (!label) {
    if (!(await store.latestVersion(name))) throw promptNotFound(name)
    throw new GatewayError('not_found', `prompt '${name}' has no label '${choice.label}'`, {
      code: 'label_not_found',
      param: 'label',
    })
  }
  if ('version' in label.target) return { version: await store.requireVersion(name, label.target.version) }
  const arm = pickArm(label.target.split, stickyPoint(caller, name, label.label))
  return { version: await store.requireVersion(name, arm.version), arm: armName(label.label, arm.version) }
}
