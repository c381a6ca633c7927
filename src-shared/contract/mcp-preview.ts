import { type Static, Type } from 'typebox'

/**
 * `GET /admin/v1/mcp/preview?key=NAME`: what a client connected to `/mcp` with that virtual key would be
 * offered, for the Connect page's "Test connection". Without `key`: what a caller gets while no keys are
 * configured (every tool listed; tools marked `confirm` refused).
 */
export const McpPreviewQuerySchema = Type.Object(
  { key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
)
export type McpPreviewQuery = Static<typeof McpPreviewQuerySchema>

export const McpPreviewToolSchema = Type.Object({
  /** The namespaced name the client sees (`server__tool`). */
  name: Type.String(),
  server: Type.String(),
  description: Type.Optional(Type.String()),
  /** False when the server marks the tool `confirm` and this caller may not confirm: listed, but refused. */
  callable: Type.Boolean(),
})
export type McpPreviewTool = Static<typeof McpPreviewToolSchema>

export const McpPreviewSchema = Type.Object({
  /** Who the preview is for, in words: `key 'ci'`, `a caller without a key`. */
  who: Type.String(),
  tools: Type.Array(McpPreviewToolSchema),
  /** Enabled servers not ready yet (starting, restarting, failed): their tools are missing from the list. */
  notReady: Type.Array(Type.Object({ name: Type.String(), state: Type.String() })),
})
export type McpPreview = Static<typeof McpPreviewSchema>
