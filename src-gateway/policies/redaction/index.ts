export {
  BUILTIN_ENTITY_TYPES,
  type EntityType,
  mergeRedaction,
  type RedactionConfig,
  RedactionConfigSchema,
  type RedactionMode,
  type RedactionOverride,
  RedactionOverrideSchema,
  validateRedaction,
  validateRedactionOverride,
} from '../../config/policies/redaction.js'
export {
  type BodyRedaction,
  createRedactor,
  type RedactedSpan,
  type RedactionCounts,
  type RedactionPreview,
  type Redactor,
  type TextRedaction,
} from './redactor.js'
export {
  createStreamRestorer,
  type RestoreOptions,
  restoreDeep,
  restoreText,
  type StreamRestorer,
  type Vault,
} from './restore.js'
