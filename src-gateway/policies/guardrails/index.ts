export {
  type GuardrailAction,
  type GuardrailsConfig,
  GuardrailsConfigSchema,
  type InputCheck,
  type OutputCheck,
  validateGuardrails,
} from '../../config/policies/guardrails.js'
export { blocking, compileGuardrails, type Guardrails, GuardrailsConfigError, type OutputWatcher } from './engine.js'
export { INJECTION_SIGNALS, type InjectionResult, injectionScore } from './injection.js'
