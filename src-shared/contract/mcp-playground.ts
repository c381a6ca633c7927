import { type Static, Type } from 'typebox'
import { NoQuerySchema } from './common.js'

/**
 * The Playground's use of the MCP hub: `GET /admin/v1/mcp/tools` lists the tools of the servers ready now with
 * their input schemas (to offer them to a model as function tools); `POST /admin/v1/mcp/call` runs one through
 * the hub for the person at the admin UI, who confirmed it there.
 */
export const McpPlaygroundToolSchema = Type.Object({
  /** The namespaced name (`server__tool`), the function name the model sees. */
  name: Type.String(),
  server: Type.String(),
  tool: Type.String(),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  /** The tool's JSON Schema for its arguments, as the server lists it. */
  inputSchema: Type.Record(Type.String(), Type.Unknown()),
  /** The server config marks it `confirm`: every call is confirmed on its own, never "always allowed". */
  needsConfirmation: Type.Boolean(),
})
export type McpPlaygroundTool = Static<typeof McpPlaygroundToolSchema>

/** GET /admin/v1/mcp/tools takes no query. */
export const McpPlaygroundToolsQuerySchema = NoQuerySchema

export const McpPlaygroundToolsSchema = Type.Object({ items: Type.Array(McpPlaygroundToolSchema) })
export type McpPlaygroundTools = Static<typeof McpPlaygroundToolsSchema>

export const McpCallBodySchema = Type.Object(
  {
    server: Type.String({ minLength: 1, maxLength: 200 }),
    tool: Type.String({ minLength: 1, maxLength: 500 }),
    arguments: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** The person confirmed this very call; required for a tool its server marks `confirm`. */
    confirmed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type McpCallBody = Static<typeof McpCallBodySchema>

/** Results longer than this are cut (for the page and for the model it is sent to). */
export const MCP_CALL_RESULT_MAX_CHARS = 20_000

export const McpCallResultSchema = Type.Object({
  /** The tool ran and flagged its own result as an error (a normal MCP result, not a failed call). */
  isError: Type.Boolean(),
  /** The result's content as text: text parts as they are, other parts described; cut at the bound. */
  text: Type.String(),
  truncated: Type.Boolean(),
  latencyMs: Type.Number(),
})
export type McpCallResult = Static<typeof McpCallResultSchema>
