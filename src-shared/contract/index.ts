/**
 * The admin API's contract (`/admin/v1/*`), one module per resource: TypeBox schemas for each request's
 * params, query and body and for answers, and the types derived from them. The gateway validates with these
 * schemas; the renderer's API client is typed by them. A new module is listed here.
 */
export * from './alerts.js'
export * from './audit.js'
export * from './backups.js'
export * from './cache.js'
export * from './common.js'
export * from './compare.js'
export * from './config-transfer.js'
export * from './discovery.js'
export * from './feedback.js'
export * from './info.js'
export * from './keys.js'
export * from './logs.js'
export * from './mcp.js'
export * from './mcp-preview.js'
export * from './models.js'
export * from './policies.js'
export * from './pricing.js'
export * from './prompts.js'
export * from './provider-types.js'
export * from './providers.js'
export * from './routes.js'
export * from './sessions.js'
export * from './settings.js'
export * from './stats.js'
