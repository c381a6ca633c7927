import { useAppStore } from '../../store'
import type { ToolCallView } from '../../store/playground-slice'

const STATE_TEXT: Record<ToolCallView['state'], string> = {
  queued: 'waiting',
  asking: 'needs your confirmation',
  running: 'running…',
  done: 'done',
  denied: 'denied',
  failed: 'not run',
  skipped: 'not run',
}

function badgeClass(call: ToolCallView, failed: boolean): string {
  if (failed) return 'badge-err'
  if (call.state === 'done') return 'badge-ok'
  return call.state === 'asking' || call.state === 'denied' ? 'badge-warn' : ''
}

/** The arguments as the model wrote them, indented when they are JSON. */
function prettyArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

/** One tool call in a reply: its name and arguments, the question before it runs, and its result. */
export function ToolCallCard({ call }: { call: ToolCallView }) {
  const answer = useAppStore((s) => s.answerToolCall)
  const failed = call.state === 'failed' || call.isError
  return (
    <div
      className={`pg-tool-call ${call.state === 'asking' ? 'pg-tool-call-asking' : ''}`}
      data-testid="pg-tool-call"
      data-tool={call.name}
      data-state={call.state}
    >
      <div className="row pg-tool-call-head">
        <span className="muted">Tool call</span>
        <code>{call.name}</code>
        <span className={`badge ${badgeClass(call, failed)}`}>
          {call.isError ? 'tool error' : STATE_TEXT[call.state]}
        </span>
      </div>
      <pre data-testid="pg-tool-arguments">{prettyArguments(call.arguments) || '{}'}</pre>
      {call.state === 'asking' && (
        <fieldset className="pg-tool-confirm">
          <legend>
            Run this tool?
            {call.needsConfirmation && <span className="warn-text"> Its server asks to confirm every call.</span>}
          </legend>
          <div className="row">
            <button type="button" className="primary small" onClick={() => answer('once')}>
              Allow once
            </button>
            {!call.needsConfirmation && (
              <button type="button" className="small" onClick={() => answer('always')}>
                Always allow in this chat
              </button>
            )}
            <button type="button" className="danger small" onClick={() => answer('deny')}>
              Deny
            </button>
          </div>
        </fieldset>
      )}
      {call.result !== null && (
        <details open>
          <summary>{call.state === 'done' ? 'Result' : 'Why'}</summary>
          <pre data-testid="pg-tool-result">{call.result}</pre>
          {call.truncated && <p className="field-hint">The result was cut; the model got the same cut text.</p>}
        </details>
      )}
    </div>
  )
}
