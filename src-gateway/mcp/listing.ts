import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import { globMatches } from './tool-glob.js'
import type { McpPromptInfo, McpResourceInfo, McpResourceTemplateInfo, McpToolInfo } from './types.js'

/** Pages fetched per list at most: a server answering with cursors forever cannot keep the hub listing. */
const MAX_PAGES = 50
/** How long one list request may take. */
const LIST_TIMEOUT_MS = 30_000

/**
 * Every page of one list. A server that declares a capability but does not answer one of its lists (a
 * `resources` server without templates/list) answers Method not found: that list is empty, not a reason to
 * keep the server from ready.
 */
async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>) {
  const out: T[] = []
  let cursor: string | undefined
  for (let i = 0; i < MAX_PAGES; i++) {
    let r: { items: T[]; nextCursor?: string }
    try {
      r = await page(cursor)
    } catch (err) {
      if (err instanceof McpError && err.code === ErrorCode.MethodNotFound) return out
      throw err
    }
    out.push(...r.items)
    if (!r.nextCursor) break
    cursor = r.nextCursor
  }
  return out
}

const opts = { timeout: LIST_TIMEOUT_MS }

export async function listTools(client: Client, confirm: string[] = []): Promise<McpToolInfo[]> {
  if (!client.getServerCapabilities()?.tools) return []
  const tools = await allPages(async (cursor) => {
    const r = await client.listTools(cursor ? { cursor } : undefined, opts)
    return { items: r.tools, nextCursor: r.nextCursor }
  })
  return tools.map((t) => ({
    name: t.name,
    title: t.title ?? t.annotations?.title,
    description: t.description,
    inputSchema: t.inputSchema as Record<string, unknown>,
    outputSchema: t.outputSchema as Record<string, unknown> | undefined,
    annotations: t.annotations as Record<string, unknown> | undefined,
    needsConfirmation: confirm.some((g) => globMatches(g, t.name)),
  }))
}

export async function listPrompts(client: Client): Promise<McpPromptInfo[]> {
  if (!client.getServerCapabilities()?.prompts) return []
  const prompts = await allPages(async (cursor) => {
    const r = await client.listPrompts(cursor ? { cursor } : undefined, opts)
    return { items: r.prompts, nextCursor: r.nextCursor }
  })
  return prompts.map((p) => ({ name: p.name, title: p.title, description: p.description, arguments: p.arguments }))
}

export async function listResources(
  client: Client,
): Promise<{ resources: McpResourceInfo[]; resourceTemplates: McpResourceTemplateInfo[] }> {
  if (!client.getServerCapabilities()?.resources) return { resources: [], resourceTemplates: [] }
  const resources = await allPages(async (cursor) => {
    const r = await client.listResources(cursor ? { cursor } : undefined, opts)
    return { items: r.resources, nextCursor: r.nextCursor }
  })
  const templates = await allPages(async (cursor) => {
    const r = await client.listResourceTemplates(cursor ? { cursor } : undefined, opts)
    return { items: r.resourceTemplates, nextCursor: r.nextCursor }
  })
  return {
    resources: resources.map((r) => ({
      uri: r.uri,
      name: r.name,
      title: r.title,
      description: r.description,
      mimeType: r.mimeType,
    })),
    resourceTemplates: templates.map((t) => ({
      uriTemplate: t.uriTemplate,
      name: t.name,
      description: t.description,
      mimeType: t.mimeType,
    })),
  }
}
