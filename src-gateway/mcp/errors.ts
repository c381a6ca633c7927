/** Why a hub call failed; the /mcp endpoint and the admin API map each kind to their own answer once. */
export type McpHubErrorKind = 'unknown_server' | 'unavailable' | 'timeout' | 'upstream' | 'cancelled'

export class McpHubError extends Error {
  override name = 'McpHubError'
  constructor(
    readonly kind: McpHubErrorKind,
    message: string,
  ) {
    super(message)
  }
}
