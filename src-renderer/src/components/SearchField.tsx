import { type Ref, useEffect, useState } from 'react'

/** How long typing must pause before the query runs. */
const SEARCH_DEBOUNCE_MS = 300

/**
 * A filter bar's search box: it updates as you type, and `onSearch` runs once typing pauses. `onSearch`
 * must be stable (a store action, or wrapped in useCallback).
 */
export function SearchField({
  id,
  query,
  placeholder,
  onSearch,
  inputRef,
}: {
  id: string
  /** The query in effect (it may also change from outside, e.g. "Clear filters"). */
  query: string
  placeholder: string
  onSearch: (q: string) => void
  inputRef?: Ref<HTMLInputElement>
}) {
  const [text, setText] = useState(query)
  useEffect(() => setText(query), [query])
  useEffect(() => {
    if (text === query) return
    const t = setTimeout(() => onSearch(text), SEARCH_DEBOUNCE_MS)
    return () => clearTimeout(t)
  }, [text, query, onSearch])
  return (
    <div className="field grow">
      <label htmlFor={id}>Search</label>
      <input
        id={id}
        ref={inputRef}
        type="search"
        value={text}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
      />
    </div>
  )
}
