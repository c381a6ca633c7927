// Small readers shared by the providers' errors.ts.

export type ResponseHeaders = Record<string, string | string[] | undefined>

/** Case-insensitive header lookup; the first value of a repeated header. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  let value = headers[name]
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name)
    if (key) value = headers[key]
  }
  return Array.isArray(value) ? value[0] : value
}

/** The start of a body that is not the expected JSON (an HTML page from a proxy), for the message. */
export function bodySnippet(body: string): string {
  const text = body.trim().slice(0, 200)
  return text === '' ? '' : `: ${text}`
}
