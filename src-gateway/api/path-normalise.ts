// Base URLs are the commonest misconfiguration: an OpenAI-style client given `…/v1` for an API that adds
// `/v1` itself calls `/v1/v1/…` (integrations.md §0). Trailing and doubled slashes are already ignored by
// the router (server.ts routerOptions).

const DOUBLED = '/v1/v1/'

/** For Fastify's `rewriteUrl`: `/v1/v1/x` → `/v1/x`, anything else unchanged. Runs on every request. */
export function normalisePath(url: string): string {
  return url.startsWith(DOUBLED) ? url.slice(3) : url
}
