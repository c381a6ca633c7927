import { Fragment } from 'react'

/**
 * A URL or file path that may wrap only after a `/`, never inside a host name, port or folder name (a
 * break in the middle of `127.0.0.1` reads as two values). The text, as copied or read, is unchanged.
 */
export function PathText({ text, testId }: { text: string; testId?: string }) {
  const parts = text.split(/(?<=\/)/)
  return (
    <code className="path-text" data-testid={testId}>
      {parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string, in order
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </code>
  )
}
