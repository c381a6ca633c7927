import type { HTMLAttributes } from 'react'
import { CopyButton } from '../../components/CopyButton'
import type { ToolSnippets } from './snippets'

interface Props {
  tool: ToolSnippets
  /** The tool's heading level; each snippet's title is one below it. */
  level: 2 | 3
  /** `data-testid` of each snippet is `${testIdPrefix}-${tool.id}`. */
  testIdPrefix: string
  /** The section's own labelling (a tab panel on the model APIs' side, a labelled region for MCP). */
  section: HTMLAttributes<HTMLElement>
}

/** One tool's setup: what it speaks, a warning if any, its copyable snippets and a note. */
export function ToolSetup({ tool, level, testIdPrefix, section }: Props) {
  const Heading = level === 2 ? 'h2' : 'h3'
  const Title = level === 2 ? 'h3' : 'h4'
  return (
    <section className="panel stack" {...section}>
      <div>
        <Heading>{tool.name}</Heading>
        <span className="muted">Speaks {tool.speaks}</span>
      </div>
      {tool.warning && (
        <p className="warn-text" role="note">
          ⚠ {tool.warning}
        </p>
      )}
      {tool.blocks.map((b) => (
        <div key={b.title} className="snippet">
          <div className="snippet-header">
            <Title>{b.title}</Title>
            <CopyButton text={b.code} label={`Copy ${b.title}`} />
          </div>
          <pre data-testid={`${testIdPrefix}-${tool.id}`}>{b.code}</pre>
        </div>
      ))}
      {tool.note && <p className="field-hint">{tool.note}</p>}
    </section>
  )
}
