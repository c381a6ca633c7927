import type { McpPreview } from '../../../src-shared/contract/mcp-preview'
import { getJson } from './client'

/** What `/mcp` offers a caller with virtual key `key` (none: a caller while no keys are configured). */
export const mcpPreviewApi = {
  get: (key: string | undefined) =>
    getJson<McpPreview>(`/admin/v1/mcp/preview${key === undefined ? '' : `?key=${encodeURIComponent(key)}`}`),
}
