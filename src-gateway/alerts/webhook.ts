import { request } from 'undici'
import { VERSION } from '../version.js'

export interface WebhookOptions {
  /** Per attempt: connect, headers and body together. */
  timeoutMs?: number
  attempts?: number
  /** Wait before the second attempt; each later one waits four times longer. */
  backoffMs?: number
}

/** A pause that never keeps the process alive on its own. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

/** The receiver's origin only: a webhook's path or query often carries its token. */
function origin(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'an invalid URL'
  }
}

/**
 * POSTs `payload` as JSON to `url`, retrying network errors, timeouts, 408, 429 and 5xx. Resolves to
 * whether it was delivered and never rejects: a failure is handed to `warn`, since an alert must never
 * fail the call that raised it.
 */
export async function postWebhook(
  url: string,
  payload: unknown,
  warn: (message: string) => void,
  { timeoutMs = 5000, attempts = 3, backoffMs = 500 }: WebhookOptions = {},
): Promise<boolean> {
  const body = JSON.stringify(payload)
  let last = ''
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await pause(backoffMs * 4 ** (i - 1))
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': `switchyard/${VERSION}` },
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      })
      await res.body.dump()
      if (res.statusCode < 300) return true
      last = `HTTP ${res.statusCode}`
      if (res.statusCode < 500 && res.statusCode !== 408 && res.statusCode !== 429) break
    } catch (err) {
      last = (err as Error).message
    }
  }
  warn(`alert webhook to ${origin(url)} failed: ${last}`)
  return false
}
