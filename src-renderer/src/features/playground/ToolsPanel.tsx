import { useQuery } from '@tanstack/react-query'
import { useShallow } from 'zustand/react/shallow'
import type { McpPlaygroundTool } from '../../../../src-shared/contract/mcp-playground'
import { errorMessage } from '../../api/client'
import { mcpPlaygroundToolsQuery } from '../../queries/mcp-playground'
import { useAppStore } from '../../store'
import { FUNCTION_NAME } from '../../store/playground-slice'

function byServer(tools: McpPlaygroundTool[]): [string, McpPlaygroundTool[]][] {
  const groups = new Map<string, McpPlaygroundTool[]>()
  for (const t of tools) groups.set(t.server, [...(groups.get(t.server) ?? []), t])
  return [...groups]
}

function ServerTools({ server, tools }: { server: string; tools: McpPlaygroundTool[] }) {
  const enabled = useAppStore(useShallow((s) => s.pgToolsEnabled))
  const setEnabled = useAppStore((s) => s.setPgToolsEnabled)
  const usable = tools.filter((t) => FUNCTION_NAME.test(t.name))
  const on = usable.filter((t) => enabled.includes(t.name)).length
  return (
    <fieldset className="pg-tools-server" data-testid="pg-tools-server" data-server={server}>
      <legend>{server}</legend>
      <label className="row pg-tool-all">
        <input
          type="checkbox"
          checked={on > 0 && on === usable.length}
          ref={(el) => {
            if (el) el.indeterminate = on > 0 && on < usable.length
          }}
          onChange={(e) =>
            setEnabled(
              usable.map((t) => t.name),
              e.target.checked,
            )
          }
        />
        All tools of {server} ({on}/{usable.length})
      </label>
      <details>
        <summary>Choose tools</summary>
        <ul className="pg-tool-list">
          {tools.map((t) => {
            const offerable = FUNCTION_NAME.test(t.name)
            return (
              <li key={t.name}>
                <label className="row" title={t.description}>
                  <input
                    type="checkbox"
                    disabled={!offerable}
                    checked={enabled.includes(t.name)}
                    onChange={(e) => setEnabled([t.name], e.target.checked)}
                  />
                  <span>
                    {t.tool}
                    {t.needsConfirmation && <span className="warn-text"> ⚠ asks each time</span>}
                    {!offerable && <span className="muted"> (its name cannot be a function name)</span>}
                  </span>
                </label>
              </li>
            )
          })}
        </ul>
      </details>
    </fieldset>
  )
}

/**
 * The chat's MCP tools: the tools of the servers ready now, by server. The ones switched on are offered to the
 * model as function tools; each call the model makes is shown in the chat and confirmed there.
 */
export function ToolsPanel() {
  const query = useQuery(mcpPlaygroundToolsQuery())
  const tools = query.data ?? []
  const enabledCount = useAppStore((s) => s.pgToolsEnabled.length)
  return (
    <section className="stack" aria-labelledby="pg-tools-heading">
      <h2 id="pg-tools-heading">Tools</h2>
      {query.error && (
        <p className="error" role="alert">
          Could not list the MCP tools: {errorMessage(query.error)}
        </p>
      )}
      {query.data && tools.length === 0 && (
        <p className="muted">
          No MCP server is ready. <a href="#/mcp">Add one on the MCP servers page</a> to let the model call its tools.
        </p>
      )}
      {byServer(tools).map(([server, list]) => (
        <ServerTools key={server} server={server} tools={list} />
      ))}
      {tools.length > 0 && (
        <p className="field-hint">
          {enabledCount === 0
            ? 'Tools you switch on are offered to the model.'
            : `${enabledCount} tool${enabledCount === 1 ? '' : 's'} offered to the model.`}{' '}
          You confirm each tool the first time the model calls it in this chat.
        </p>
      )}
    </section>
  )
}
