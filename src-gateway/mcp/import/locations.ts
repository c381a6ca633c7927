import { join } from 'node:path'
import { isPlainObject } from '../../core/json-values.js'

// Where each tool keeps its MCP servers, per OS, and which part of each file lists them. Formats as the
// vendors document them: Claude Code (~/.claude.json `mcpServers`, and per project under `projects`;
// a project's .mcp.json), Claude Desktop (claude_desktop_config.json `mcpServers`), Cursor
// (~/.cursor/mcp.json and a project's .cursor/mcp.json, `mcpServers`), VS Code (user settings.json
// `mcp.servers`, the profile's mcp.json and a workspace's .vscode/mcp.json, `servers`).

export type ToolId = 'claude-code' | 'claude-desktop' | 'cursor' | 'vscode'

export const TOOL_NAMES: Record<ToolId, string> = {
  'claude-code': 'Claude Code',
  'claude-desktop': 'Claude Desktop',
  cursor: 'Cursor',
  vscode: 'VS Code',
}

/** The machine as the readers see it; tests give a fake home. */
export interface Machine {
  home: string
  platform: NodeJS.Platform
  /** %APPDATA% on Windows. */
  appData?: string
  /** $XDG_CONFIG_HOME on Linux. */
  xdgConfigHome?: string
  /** The project folder whose own files (.mcp.json, .cursor/, .vscode/) are read. */
  project: string
}

/** One list of servers in a file, and the project folder it belongs to (for `${workspaceFolder}`). */
export interface ServerList {
  servers: Record<string, unknown>
  project?: string
  /** Where in the file, when the file has several lists (a Claude Code project). */
  section?: string
}

export interface SourceFile {
  tool: ToolId
  file: string
  lists(data: unknown): ServerList[]
}

const objectAt = (data: unknown, ...path: string[]): Record<string, unknown> | undefined => {
  let v = data
  for (const key of path) v = isPlainObject(v) ? v[key] : undefined
  return isPlainObject(v) ? v : undefined
}

/** A file whose servers are all under one key path. */
const listAt =
  (project: string | undefined, ...path: string[]) =>
  (data: unknown): ServerList[] => {
    const servers = objectAt(data, ...path)
    return servers ? [{ servers, project }] : []
  }

/** The per-user application-settings folder: Application Support, %APPDATA%, or XDG's config folder. */
function appSettingsDir(m: Machine): string {
  if (m.platform === 'darwin') return join(m.home, 'Library', 'Application Support')
  if (m.platform === 'win32') return m.appData ?? join(m.home, 'AppData', 'Roaming')
  return m.xdgConfigHome ?? join(m.home, '.config')
}

/** Every file that may hold MCP servers on this machine, in the order they are listed to the user. */
export function sourceFiles(m: Machine): SourceFile[] {
  const settings = appSettingsDir(m)
  const vscodeUser = join(settings, 'Code', 'User')
  return [
    {
      tool: 'claude-code',
      file: join(m.home, '.claude.json'),
      lists: (data) => {
        const out = listAt(undefined, 'mcpServers')(data)
        for (const [dir, p] of Object.entries(objectAt(data, 'projects') ?? {})) {
          const servers = objectAt(p, 'mcpServers')
          if (servers) out.push({ servers, project: dir, section: `projects["${dir}"]` })
        }
        return out
      },
    },
    { tool: 'claude-code', file: join(m.project, '.mcp.json'), lists: listAt(m.project, 'mcpServers') },
    {
      tool: 'claude-desktop',
      file: join(settings, 'Claude', 'claude_desktop_config.json'),
      lists: listAt(undefined, 'mcpServers'),
    },
    { tool: 'cursor', file: join(m.home, '.cursor', 'mcp.json'), lists: listAt(undefined, 'mcpServers') },
    { tool: 'cursor', file: join(m.project, '.cursor', 'mcp.json'), lists: listAt(m.project, 'mcpServers') },
    { tool: 'vscode', file: join(vscodeUser, 'settings.json'), lists: listAt(undefined, 'mcp', 'servers') },
    { tool: 'vscode', file: join(vscodeUser, 'mcp.json'), lists: listAt(undefined, 'servers') },
    { tool: 'vscode', file: join(m.project, '.vscode', 'mcp.json'), lists: listAt(m.project, 'servers') },
  ]
}
