import type { KeyboardEvent } from 'react'
import type { LogItem } from '../../../../src-shared/admin-api'
import { CacheHitBadge, GuardrailBadge, RedactedBadge } from '../../components/ProtectionBadges'
import { formatDuration, formatEntityCounts, formatTime, formatTokensInOut, formatUsd } from '../../format'

// Fixed widths (with the table's narrow padding) fit their longest usual value (`Dec 2, 14:03`, `embeddings`,
// `1.24 s`) so nothing is cut; the requested name and the model share the rest of a 1280 px window.
export const LOG_COLUMNS = [
  { label: 'Time', width: '92px' },
  { label: 'Status', width: '56px' },
  { label: 'Requested', width: 'auto' },
  { label: 'Model', width: 'auto' },
  { label: 'Provider', width: '76px' },
  { label: 'Key', width: '56px' },
  { label: 'API', width: '80px' },
  { label: 'Stream', width: '60px' },
  { label: 'Tokens in → out', width: '108px', num: true },
  { label: 'Cost', width: '68px', num: true },
  { label: 'Latency', width: '64px', num: true },
  { label: 'TTFT', width: '64px', num: true },
  { label: 'Protection', width: '88px' },
]

/** What redaction, guardrails and the cache did to the call; `log`-only guardrail hits show in the drawer. */
function ProtectionCell({ item }: { item: LogItem }) {
  const redacted = Object.keys(item.redactions).length > 0
  const summary = [
    item.guardrailAction && `guardrail: ${item.guardrailAction}`,
    item.isCacheHit && 'cache hit',
    redacted && `redacted: ${formatEntityCounts(item.redactions)}`,
  ].filter(Boolean)
  // The column fits one badge; the cell's title lists them all when a call has several.
  return (
    <div className="protection-badges" title={summary.join(' · ') || undefined}>
      {item.guardrailAction && item.guardrailAction !== 'log' && <GuardrailBadge action={item.guardrailAction} />}
      {item.isCacheHit && <CacheHitBadge />}
      {redacted && <RedactedBadge title={`Redacted before sending: ${formatEntityCounts(item.redactions)}`} />}
    </div>
  )
}

export function LogRow(props: {
  item: LogItem
  index: number
  selected: boolean
  onOpen(): void
  onKeyDown(e: KeyboardEvent): void
}) {
  const { item, index, selected } = props
  const err = item.status >= 400
  return (
    <tr
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={selected ? 0 : -1}
      data-testid="log-row"
      data-request-id={item.requestId}
      data-model={item.model ?? ''}
      data-kind={item.inboundApi === 'mcp' ? 'mcp' : 'model'}
      data-log-id={item.id}
      onClick={props.onOpen}
      onKeyDown={props.onKeyDown}
    >
      <td title={item.createdAt}>{formatTime(item.createdAt)}</td>
      <td className={err ? 'status-err' : 'status-ok'}>
        {err ? '✘' : '✔'} {item.status}
      </td>
      <td title={item.route ? `route ${item.route}` : (item.requestedModel ?? '')}>
        {item.route ?? item.requestedModel ?? '—'}
      </td>
      <td title={item.model ?? ''}>{item.model ?? '—'}</td>
      <td>{item.provider ?? '—'}</td>
      <td>{item.keyName ?? (item.caller ? `(${item.caller})` : '—')}</td>
      <td
        title={
          item.inboundApi === 'mcp'
            ? 'A tool call through the MCP hub: provider is its server, model its tool'
            : undefined
        }
      >
        {item.inboundApi === 'mcp' ? 'MCP tool' : item.inboundApi}
      </td>
      <td>{item.isStream ? 'stream' : '—'}</td>
      <td className="num">{formatTokensInOut(item.inputTokens, item.outputTokens)}</td>
      <td className="num">{formatUsd(item.costUsd)}</td>
      <td className="num">{formatDuration(item.latencyMs)}</td>
      <td className="num">{formatDuration(item.ttftMs)}</td>
      <td>
        <ProtectionCell item={item} />
      </td>
    </tr>
  )
}
