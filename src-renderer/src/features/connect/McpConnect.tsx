import { useMutation, useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { errorMessage } from '../../api/client'
import { mcpPreviewApi } from '../../api/mcp-preview'
import { keysQuery } from '../../queries/keys'
import { buildMcpSnippets } from './mcp-snippets'
import { ToolSetup } from './ToolSetup'

const NO_KEY = ''

/** "Test connection" for MCP: the tools the chosen key would see through /mcp, by the endpoint's own rules. */
function McpToolsTest() {
  const keys = useQuery(keysQuery()).data ?? []
  const [chosen, setChosen] = useState<string | null>(null)
  const key = chosen ?? keys[0]?.name ?? NO_KEY
  const test = useMutation({ mutationFn: (k: string) => mcpPreviewApi.get(k === NO_KEY ? undefined : k) })
  const preview = test.data
  return (
    <section className="panel stack" aria-labelledby="mcp-test-heading">
      <h3 id="mcp-test-heading">Test MCP connection</h3>
      <div className="row">
        <label htmlFor="mcp-test-key">Key</label>
        <select
          id="mcp-test-key"
          value={key}
          onChange={(e) => {
            setChosen(e.target.value)
            test.reset()
          }}
        >
          {keys.length === 0 && <option value={NO_KEY}>no key (no keys are configured)</option>}
          {keys.map((k) => (
            <option key={k.name} value={k.name}>
              {k.name}
            </option>
          ))}
        </select>
        <button type="button" className="primary" disabled={test.isPending} onClick={() => test.mutate(key)}>
          Test MCP connection
        </button>
      </div>
      {test.error && (
        <p className="error" role="alert">
          Could not read what /mcp offers: {errorMessage(test.error)}
        </p>
      )}
      {preview && (
        <div className="stack" data-testid="mcp-preview">
          <p role="status">
            {preview.tools.length === 0
              ? `No tools for ${preview.who}: give the key an MCP block (tools globs) on the Keys page, or add servers on the MCP servers page.`
              : `${preview.tools.length} tool${preview.tools.length === 1 ? '' : 's'} for ${preview.who}:`}
          </p>
          {preview.tools.length > 0 && (
            <ul className="mcp-preview-tools">
              {preview.tools.map((t) => (
                <li key={t.name}>
                  <code>{t.name}</code>
                  {!t.callable && (
                    <span className="warn-text"> (needs confirmation: listed, refused for this key)</span>
                  )}
                  {t.description && <span className="muted"> {t.description}</span>}
                </li>
              ))}
            </ul>
          )}
          {preview.notReady.length > 0 && (
            <p className="muted">
              Not ready, so their tools are missing: {preview.notReady.map((s) => `${s.name} (${s.state})`).join(', ')}
            </p>
          )}
        </div>
      )}
    </section>
  )
}

/** The Connect page's MCP section: how each agent reaches the hub at /mcp, and what a key would see there. */
export function McpConnect({ baseUrl }: { baseUrl: string }) {
  const tools = useMemo(() => buildMcpSnippets(baseUrl), [baseUrl])
  const [toolId, setToolId] = useState(tools[0].id)
  const tool = tools.find((t) => t.id === toolId) ?? tools[0]
  return (
    <section className="stack" aria-labelledby="mcp-heading" style={{ marginTop: 14 }}>
      <h2 id="mcp-heading">MCP tools</h2>
      <p className="muted">
        The MCP servers configured on the MCP servers page reach every agent through one endpoint,{' '}
        <code data-testid="mcp-endpoint">{`${baseUrl.replace(/\/+$/, '')}/mcp`}</code> (Streamable HTTP), their tools
        named <code>server__tool</code>. A key sees the tools its MCP block allows.
      </p>
      <div className="row">
        <label htmlFor="mcp-client">MCP client</label>
        <select id="mcp-client" value={tool.id} onChange={(e) => setToolId(e.target.value)}>
          {tools.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <div className="stack">
        <ToolSetup
          tool={tool}
          level={3}
          testIdPrefix="mcp-snippet"
          section={{ 'aria-label': `MCP setup for ${tool.name}` }}
        />
        <McpToolsTest />
      </div>
    </section>
  )
}
