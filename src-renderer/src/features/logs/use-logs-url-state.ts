import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { replaceQuery, useHashLocation } from '../../app/router'
import { useAppStore } from '../../store'
import { CHOICE_FILTERS, EMPTY_LOG_FILTERS, type LogFilters } from '../../store/logs-slice'

const FILTER_KEYS = Object.keys(EMPTY_LOG_FILTERS) as (keyof LogFilters)[]

function filtersFromQuery(q: URLSearchParams): LogFilters {
  const f = { ...EMPTY_LOG_FILTERS }
  for (const k of FILTER_KEYS) {
    const v = q.get(k)
    if (v !== null) (f as Record<string, string>)[k] = v
  }
  for (const [k, choices] of Object.entries(CHOICE_FILTERS)) {
    const key = k as keyof typeof CHOICE_FILTERS
    if (!Object.hasOwn(choices, f[key])) (f as Record<string, string>)[key] = ''
  }
  return f
}

/**
 * The Logs page's state in the URL, so a link or a reload shows the same rows: the filters come from the
 * URL on arrival, then the URL follows the filters; the drawer follows `?id=`, so Back closes it and a link
 * opens it. With `loggingOff`, nothing is asked for (there is no log to read).
 */
export function useLogsUrlState(loggingOff: boolean): void {
  const { query } = useHashLocation()
  const filters = useAppStore(useShallow((s) => s.logFilters))
  const urlId = query.get('id')

  // On arrival the URL's filters are applied during the first render, before the list's query first asks:
  // in an effect they would land after it had asked once for the filters held before.
  useState(() => {
    const { logFilters, setLogFilters } = useAppStore.getState()
    const fromUrl = filtersFromQuery(query)
    if (FILTER_KEYS.some((k) => fromUrl[k] !== logFilters[k])) setLogFilters(fromUrl)
  })

  useEffect(() => {
    if (!loggingOff) replaceQuery({ ...filters, id: urlId ?? undefined })
  }, [filters, urlId, loggingOff])

  useEffect(() => {
    const { detailId, openLog, closeLog } = useAppStore.getState()
    const id = urlId ? Number(urlId) : null
    if (id && Number.isInteger(id)) {
      if (detailId !== id) openLog(id)
    } else if (detailId !== null) closeLog()
  }, [urlId])
}
